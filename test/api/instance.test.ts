// GET /api/v1/instance and /api/v2/instance: Mastodon's shapes, limits from
// the config, registration mode from the settings, counts from the database.
import test from 'ava';
import { databaseTargets } from '../helpers/databases.ts';
import { newId } from '../../server/db/ids.ts';
import { setSetting } from '../../server/db/instance-settings.repo.ts';
import { createLocalAccount } from '../../server/services/accounts/admin-accounts.service.ts';
import { createUser, getJson, startApiServer } from './helpers.ts';
import { findFfmpeg } from '../../media/video/ffmpeg.ts';

for (const target of await databaseTargets()) {
  test(`${target.name}: v1 instance reports the domain, limits, registrations and counts`, async (t) => {
    const server = await startApiServer(t, target, { VIEWFINDER_REGISTRATIONS: 'open', VIEWFINDER_MAX_IMAGE_BYTES: '5000000' });
    const admin = await createLocalAccount(server.db, { username: 'boss', password: 'correct horse battery', role: 'admin' });
    await createUser(server, 'alice');
    const now = Date.now();
    await server.db('accounts').insert({ id: newId(), username: 'r', domain: 'remote.example', uri: 'https://remote.example/users/r', created_at: now, updated_at: now });
    await server.db('accounts').where({ id: admin.account.id }).update({ posts_count: 7 });

    const { status, body } = await getJson(server, '/api/v1/instance');
    t.is(status, 200);
    t.is(body.uri, server.config.domain);
    t.is(body.version, '4.3.0 (compatible; Viewfinder 0.1.0)');
    t.is(body.title, 'Viewfinder');
    t.is(typeof body.short_description, 'string');
    t.is(typeof body.description, 'string');
    t.is(typeof body.email, 'string');
    t.is(body.urls.streaming_api, 'ws://127.0.0.1:9');
    t.deepEqual(body.stats, { user_count: 2, status_count: 7, domain_count: 1 });
    t.is(typeof body.thumbnail, 'string');
    t.deepEqual(body.languages, ['en']);
    t.true(body.registrations);
    t.false(body.approval_required);
    t.false(body.invites_enabled);
    t.like(body.configuration.statuses, { max_characters: 2200, max_media_attachments: 20, characters_reserved_per_url: 23 });
    t.like(body.configuration.media_attachments, { image_size_limit: 5_000_000, image_matrix_limit: server.config.uploads.maxImagePixels, video_size_limit: server.config.uploads.maxVideoBytes });
    t.true(body.configuration.media_attachments.supported_mime_types.includes('image/jpeg'));
    t.is(typeof body.configuration.polls.max_options, 'number');
    t.is(typeof body.configuration.accounts.max_featured_tags, 'number');
    t.is(body.contact_account.username, 'boss');
    t.deepEqual(body.rules, []);
  });

  test(`${target.name}: v2 instance follows the registration mode an admin sets at run time`, async (t) => {
    const server = await startApiServer(t, target, { VIEWFINDER_REGISTRATIONS: 'open' });
    const first = await getJson(server, '/api/v2/instance');
    t.is(first.status, 200);
    const body = first.body;
    t.is(body.domain, server.config.domain);
    t.is(body.version, '4.3.0 (compatible; Viewfinder 0.1.0)');
    t.is(typeof body.source_url, 'string');
    t.deepEqual(body.usage, { users: { active_month: 0 } });
    t.is(typeof body.thumbnail.url, 'string');
    t.like(body.configuration, { urls: { streaming: 'ws://127.0.0.1:9' }, translation: { enabled: false }, vapid: { public_key: '' } });
    t.like(body.configuration.statuses, { max_characters: 2200 });
    t.like(body.configuration.accounts, { max_featured_tags: 10, max_pinned_statuses: 5 });
    t.like(body.configuration.media_attachments, { image_size_limit: server.config.uploads.maxImageBytes });
    t.like(body.registrations, { enabled: true, approval_required: false, message: null });
    t.deepEqual(body.api_versions, { mastodon: 2 });
    t.like(body.contact, { email: '', account: null });
    t.deepEqual(body.rules, []);

    await setSetting(server.db, 'registrations', 'approval');
    t.like((await getJson(server, '/api/v2/instance')).body.registrations, { enabled: true, approval_required: true });
    await setSetting(server.db, 'registrations', 'closed');
    const closed = (await getJson(server, '/api/v2/instance')).body.registrations;
    t.false(closed.enabled);
    t.is(typeof closed.message, 'string');

    // A user who used an app counts as active this month; masto reads the same document.
    const alice = await createUser(server, 'alice');
    await alice.client.v1.accounts.verifyCredentials();
    const viaMasto = await alice.client.v2.instance.fetch();
    t.is(viaMasto.usage.users.activeMonth, 1);
    t.false((await alice.client.v1.instance.fetch()).registrations);
  });
}

test('the instance offers video types only when ffmpeg was found', async (t) => {
  const [target] = await databaseTargets();
  const without = await startApiServer(t, target!, { VIEWFINDER_FFMPEG_PATH: '/nonexistent/ffmpeg' });
  const types: string[] = (await getJson(without, '/api/v2/instance')).body.configuration.media_attachments.supported_mime_types;
  t.true(types.includes('image/heic'));
  t.false(types.includes('video/mp4'), 'apps hide the video picker');
  const found = (await findFfmpeg()) !== null;
  const withTools = await startApiServer(t, target!);
  const v1: string[] = (await getJson(withTools, '/api/v1/instance')).body.configuration.media_attachments.supported_mime_types;
  t.is(v1.includes('video/mp4'), found);
});
