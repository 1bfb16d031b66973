// The bearer-token lookup: one query for token, user and account, the same
// in and out of a transaction and on both databases.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import type { Queryable } from '../../server/db/knex.ts';
import { findTokenWithOwner } from '../../server/db/oauth.repo.ts';
import { userFromRow } from '../../server/db/users.repo.ts';
import { accountFromRow } from '../../server/db/accounts.repo.ts';
import { loadConfig } from '../../config/load.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { createApp } from '../../server/services/oauth/apps.service.ts';
import { issueToken } from '../../server/services/oauth/tokens.service.ts';
import { sha256Hex } from '../../server/oauth/secrets.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: findTokenWithOwner returns the token with its user and account`, async (t) => {
    const { db, dataDir } = await target.create(t);
    const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir }, cwd: dataDir, persistSecret: false });
    const { user, account } = await createLocalAccount(db, { username: 'alice', password: 'a long password' });
    const { app } = await createApp(db, { clientName: 'a', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' });
    const userToken = await issueToken(db, config, { appId: app.id, userId: user.id, scopes: ['read'] });
    const appToken = await issueToken(db, config, { appId: app.id, userId: null, scopes: ['read', 'write'] });

    const check = async (queryable: Queryable) => {
      const found = await findTokenWithOwner(queryable, sha256Hex(userToken.accessToken));
      t.like(found?.token, { id: userToken.id, appId: app.id, userId: user.id, scopes: ['read'], revokedAt: null });
      t.deepEqual(userFromRow(found!.userRow!), user);
      t.deepEqual(accountFromRow(found!.accountRow!), account);
      const appOnly = await findTokenWithOwner(queryable, sha256Hex(appToken.accessToken));
      t.like(appOnly, { userRow: null, accountRow: null });
      t.deepEqual(appOnly?.token.scopes, ['read', 'write']);
      t.is(await findTokenWithOwner(queryable, sha256Hex('nope')), undefined);
    };
    await check(db);
    // Inside a transaction (on SQLite it holds the only connection) the lookup must use it.
    await db.transaction(check);
  });
}
