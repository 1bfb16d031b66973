// `viewfinder admin password-grant [on|off]`: whether command-line clients may
// sign in with the OAuth password grant.
import { Argument, type Command } from 'commander';
import { passwordGrantEnabled, setPasswordGrantEnabled } from '../../services/oauth/password-grant.service.ts';
import { withDatabase, type CliContext } from './common.ts';

export function registerPasswordGrantCommand(admin: Command, context: CliContext): void {
  admin
    .command('password-grant')
    .description('show whether the OAuth password grant is allowed, or set it (stored in the database; wins over VIEWFINDER_PASSWORD_GRANT)')
    .addArgument(new Argument('[state]', 'on: command-line clients may sign in with a password; off: only through the browser').choices(['on', 'off']))
    .action(async (state: 'on' | 'off' | undefined) => {
      await withDatabase(context, async (db, config) => {
        if (state) await setPasswordGrantEnabled(db, state === 'on');
        context.io.out(`Password grant: ${(await passwordGrantEnabled(db, config)) ? 'on' : 'off'}`);
      });
    });
}
