// `viewfinder admin password-grant`: an admin turns the OAuth password grant
// off at run time, and it stays off whatever the environment says.
import test from 'ava';
import { loadConfig } from '../../config/load.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { cliFor } from '../helpers/cli.ts';
import { passwordGrantEnabled } from '../../server/services/oauth/password-grant.service.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: admin password-grant shows and sets whether the password grant is allowed`, async (t) => {
    const database = await target.create(t);
    const cli = cliFor(database);
    const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: database.dataDir, VIEWFINDER_PASSWORD_GRANT: 'on' }, cwd: database.dataDir, persistSecret: false });
    t.is((await cli('admin', 'password-grant')).stdout.trim(), 'Password grant: on');
    const off = await cli('admin', 'password-grant', 'off');
    t.is(off.code, 0, off.stderr);
    t.is(off.stdout.trim(), 'Password grant: off');
    t.false(await passwordGrantEnabled(database.db, config), 'the stored setting wins over VIEWFINDER_PASSWORD_GRANT=on');
    const bad = await cli('admin', 'password-grant', 'maybe');
    t.not(bad.code, 0);
    t.regex(bad.stderr, /on, off/);
  });
}
