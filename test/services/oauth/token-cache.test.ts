// The bearer-token cache saves the lookup on repeated requests, and never
// serves what a write in this process has changed.
import test from 'ava';
import { databaseTargets } from '../../helpers/databases.ts';
import { createLocalAccount } from '../../../server/services/accounts/admin-accounts.service.ts';
import { issueToken, resolveAccessToken } from '../../../server/services/oauth/tokens.service.ts';
import { updateAccount } from '../../../server/db/accounts.repo.ts';
import { revokeToken } from '../../../server/db/oauth.repo.ts';
import { newId } from '../../../server/db/ids.ts';
import { loadConfig } from '../../../config/load.ts';
import type { Db } from '../../../server/db/knex.ts';

function countQueries(db: Db): { count: number } {
  const counter = { count: 0 };
  db.on('query', () => (counter.count += 1));
  return counter;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: a resolved token is served from cache until a write changes what it read`, async (t) => {
    const { db, dataDir } = await target.create(t);
    const config = loadConfig({ env: {}, cwd: dataDir, persistSecret: false });
    const { account, user } = await createLocalAccount(db, { username: 'dana', password: 'long enough password' });
    const appId = newId();
    await db('oauth_apps').insert({ id: appId, name: 'app', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read', client_id: `c${appId}`, client_secret_hash: 'x', created_at: Date.now() });
    const issued = await issueToken(db, config, { appId, userId: user.id, scopes: ['read'] });

    const first = await resolveAccessToken(db, issued.accessToken);
    t.true(first.ok);
    const queries = countQueries(db);
    const second = await resolveAccessToken(db, issued.accessToken);
    t.true(second.ok);
    t.is(queries.count, 0, 'the second lookup is served from the cache');

    // A write inside a transaction: a read before the commit may re-cache the
    // old row, yet after the commit the new one is served.
    await db.transaction(async (trx) => {
      await updateAccount(trx, account.id, { displayName: 'Dana D.' });
      if (target.name === 'postgres') await resolveAccessToken(db, issued.accessToken); // reads the committed (old) row
    });
    const afterUpdate = await resolveAccessToken(db, issued.accessToken);
    t.true(afterUpdate.ok && afterUpdate.account?.displayName === 'Dana D.');

    await revokeToken(db, (afterUpdate as { token: { id: number } }).token.id, Date.now());
    const revoked = await resolveAccessToken(db, issued.accessToken);
    t.deepEqual(revoked, { ok: false, reason: 'revoked' });
  });
}
