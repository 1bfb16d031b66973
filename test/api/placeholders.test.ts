// Endpoints that answer empty until their feature lands: 200 with the right
// empty shape, and the token Mastodon requires.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { placeholders } from '../../server/api/placeholders/placeholders.routes.ts';
import { appToken, createUser, getJson, startApiServer } from './helpers.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: every placeholder answers its empty shape, and 401 without a token where one is required`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const noScopes = await appToken(server, ['write:statuses'], alice.userId);
    t.true(placeholders.length >= 11);
    for (const { path, scope } of placeholders) {
      const { status, body } = await getJson(server, path, alice.token);
      t.is(status, 200, path);
      t.deepEqual(body, [], path);
      const anonymous = await getJson(server, path);
      t.is(anonymous.status, scope ? 401 : 200, `${path} without a token`);
      if (scope) t.is((await getJson(server, path, noScopes)).status, 403, `${path} with the wrong scope`);
    }
    const emojis = await alice.client.v1.customEmojis.list();
    t.deepEqual(emojis, []);
    t.deepEqual(await alice.client.v1.lists.list(), []);
  });
}
