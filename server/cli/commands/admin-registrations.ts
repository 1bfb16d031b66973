// `viewfinder admin invite …` and `viewfinder admin registrations [mode]`.
import { Argument, type Command } from 'commander';
import { createInvite, inviteUrl, listInvites, revokeInvite } from '../../services/accounts/invites.service.ts';
import { registrationMode, registrationModes, setRegistrationMode, type RegistrationMode } from '../../services/accounts/registration.service.ts';
import { databaseHelp, formatTable, integerIn, isoTime, withDatabase, type CliContext } from './common.ts';

export function registerRegistrationCommands(admin: Command, context: CliContext): void {
  const { io } = context;
  const invite = admin.command('invite').description('manage invite codes for sign-up');

  invite
    .command('create')
    .description('create an invite code (owned by the first admin); prints the code and its sign-up link')
    .option('--max-uses <n>', 'how many accounts may sign up with it (default: unlimited)', integerIn(1))
    .option('--expires-in-days <n>', 'days until it expires (default: never)', integerIn(1, 3650))
    .action(async (options: { maxUses?: number; expiresInDays?: number }) => {
      await withDatabase(context, async (db, config) => {
        const created = await createInvite(db, { maxUses: options.maxUses, expiresInDays: options.expiresInDays });
        io.out(`Invite code: ${created.code}`);
        io.out(`Sign-up link: ${inviteUrl(config, created.code)}`);
        const limits = [created.maxUses === null ? 'unlimited uses' : `${created.maxUses} use(s)`, created.expiresAt === null ? 'never expires' : `expires ${isoTime(created.expiresAt)}`];
        io.err(`(${limits.join(', ')})`);
      });
    });

  invite
    .command('list')
    .description('list invite codes, newest first')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(context, async (db) => {
        const invites = await listInvites(db);
        if (options.json) return io.out(JSON.stringify(invites, null, 2));
        if (!invites.length) return io.err('No invites yet.');
        io.out(formatTable(['code', 'state', 'uses', 'max', 'expires', 'created'], invites.map((i) => [i.code, i.state, i.uses, i.maxUses, isoTime(i.expiresAt), isoTime(i.createdAt)])));
      });
    });

  invite
    .command('revoke')
    .description('revoke an invite code; accounts made with it stay')
    .argument('<code>')
    .action(async (code: string) => {
      await withDatabase(context, async (db) => {
        await revokeInvite(db, code);
        io.out(`Revoked invite ${code}.`);
      });
    });

  const registrations = admin
    .command('registrations')
    .description('show the sign-up mode, or set it (stored in the database; wins over VIEWFINDER_REGISTRATIONS)')
    .addArgument(new Argument('[mode]', 'open: anyone; approval: an admin approves each; invite: invite code needed; closed: nobody').choices(registrationModes))
    .action(async (mode: RegistrationMode | undefined) => {
      await withDatabase(context, async (db, config) => {
        if (mode) {
          await setRegistrationMode(db, mode);
          io.out(`Registrations: ${mode}`);
        } else {
          io.out(`Registrations: ${await registrationMode(db, config)}`);
        }
      });
    });

  for (const command of [invite, ...invite.commands, registrations]) command.addHelpText('after', databaseHelp);
}
