// The public pages over plain HTTP, on each database: a profile's grid shows
// only what anyone may see, a post page opens only for public and unlisted
// posts (everything else answers exactly like an unknown id), link previews
// carry the right image and alt text, names are escaped, and the ActivityPub
// ids of actors and posts lead browsers to these pages.
import test, { type ExecutionContext } from 'ava';
import { loadConfig } from '../../config/load.ts';
import { setAccountSuspendedAt } from '../../server/db/accounts.repo.ts';
import { createHttpApp } from '../../server/http/app.ts';
import type { ApiDeps } from '../../server/http/deps.ts';
import { listen } from '../../server/http/listen.ts';
import { createRateLimiter } from '../../server/http/rate-limit.ts';
import { createRouters } from '../../server/http/routes.ts';
import { databaseTargets, tempDir, type DatabaseTarget } from '../helpers/databases.ts';
import { makeVideo, solidJpeg, testVideoTools, uploadFile } from '../helpers/media-fixtures.ts';
import { createUser, getJson, type ApiServer, type TestUser } from '../api/helpers.ts';
import { waitUntilProcessed } from '../api/media-helpers.ts';
import { comment, send, startInlineWorker } from '../api/post-helpers.ts';

const PUBLIC_URL = 'https://photos.example';
const videoTools = await testVideoTools('the video post page test');

/** Every router `serve` mounts (API, media files, web pages), with a worker processing uploads. */
async function startServer(t: ExecutionContext, target: DatabaseTarget): Promise<ApiServer> {
  const { db, dataDir, url } = await target.create(t);
  const config = loadConfig({
    env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url, VIEWFINDER_PUBLIC_URL: PUBLIC_URL, VIEWFINDER_RATE_LIMITS: 'off' },
    cwd: dataDir,
    persistSecret: false,
  });
  const deps: ApiDeps = { config, db, rateLimiter: createRateLimiter(config), mailer: null };
  const server = await listen(createHttpApp({ config, db, routers: createRouters(deps) }), { port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await server.close();
    await deps.rateLimiter.close();
  });
  const api = { url: server.url, db, config };
  startInlineWorker(t, api);
  return api;
}

interface Page {
  status: number;
  type: string | null;
  location: string | null;
  text: string;
}

async function open(server: ApiServer, path: string, accept = 'text/html,application/xhtml+xml,*/*;q=0.8'): Promise<Page> {
  const response = await fetch(`${server.url}${path}`, { headers: { Accept: accept }, redirect: 'manual' });
  return { status: response.status, type: response.headers.get('content-type'), location: response.headers.get('location'), text: await response.text() };
}

/** A processed upload of `user`'s, ready to attach. */
async function upload(server: ApiServer, user: TestUser, data: Buffer, type: string, description?: string): Promise<string> {
  const answer = await uploadFile(server.url, user.token, data, { type, description });
  if (answer.status === 202) {
    const done = await waitUntilProcessed(server, user.token, answer.body.id);
    if (done.status !== 200) throw new Error(`media not processed: ${JSON.stringify(done.body)}`);
  } else if (answer.status !== 200) {
    throw new Error(`upload refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body.id;
}

async function post(server: ApiServer, user: TestUser, body: Record<string, unknown>): Promise<string> {
  const answer = await send(server, 'POST', '/api/v1/statuses', user.token, body);
  if (answer.status !== 200) throw new Error(`posting ${JSON.stringify(body)}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

async function photoPost(server: ApiServer, user: TestUser, alt: string, body: Record<string, unknown>): Promise<string> {
  const media = await upload(server, user, await solidJpeg(300, 200), 'image/jpeg', alt);
  return post(server, user, { media_ids: [media], ...body });
}

const decode = (value: string) => value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The content of a <meta property|name="…"> tag, unescaped; undefined when absent. */
function meta(html: string, key: string): string | undefined {
  const match = new RegExp(`<meta (?:property|name)="${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" content="([^"]*)">`).exec(html);
  return match ? decode(match[1]!) : undefined;
}

/** The post ids the page links to as grid tiles. */
function tiles(html: string, username: string): string[] {
  return [...html.matchAll(new RegExp(`<a class="tile" href="${PUBLIC_URL}/@${username}/(\\d+)"`, 'g'))].map((m) => m[1]!);
}

for (const target of await databaseTargets()) {
  test(`${target.name}: the profile grid and post pages show only public and unlisted posts, with previews, alt text and escaped names`, async (t) => {
    const server = await startServer(t, target);
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const profile = await send(server, 'PATCH', '/api/v1/accounts/update_credentials', alice.token, {
      display_name: '<script>alert(1)</script>A&"B', // Mastodon's 30-character limit
      note: 'Bikes, canals and <b>light</b>',
    });
    t.is(profile.status, 200);

    const ids = {
      public: await photoPost(server, alice, 'A red bicycle leaning on a "blue" wall', {
        status: 'Sunny morning #bikes',
        visibility: 'public',
        location: { name: 'Canal Saint-Martin', lat: 48.87, lon: 2.36 },
      }),
      unlisted: await photoPost(server, alice, 'A quiet harbour', { status: 'Harbour #bikes', visibility: 'unlisted' }),
      private: await photoPost(server, alice, 'A private garden', { status: 'Only for friends', visibility: 'private' }),
      direct: await post(server, alice, { status: '@bob secret plans', visibility: 'direct' }),
      archived: await photoPost(server, alice, 'An archived attic', { status: 'Put away', visibility: 'public' }),
      deleted: await photoPost(server, alice, 'A deleted photo', { status: 'Gone', visibility: 'public' }),
    };
    t.is((await send(server, 'POST', `/api/viewfinder/v1/statuses/${ids.archived}/archive`, alice.token)).status, 200);
    t.is((await send(server, 'DELETE', `/api/v1/statuses/${ids.deleted}`, alice.token)).status, 200);
    // A comment on her own post stays on her profile (a text tile); one under bob's post does not.
    const selfComment = await comment(server, alice, ids.public, 'More about that morning');
    const bobsPost = await photoPost(server, bob, 'Bob’s boat', { status: 'Boat', visibility: 'public' });
    const otherComment = await comment(server, alice, bobsPost, 'Nice boat');

    const page = await open(server, '/@alice');
    t.is(page.status, 200);
    t.regex(page.type ?? '', /^text\/html/);
    t.deepEqual(tiles(page.text, 'alice'), [selfComment, ids.unlisted, ids.public], 'newest first; nothing followers-only, direct, archived, deleted or commented elsewhere');
    t.false(page.text.includes(otherComment));
    for (const hidden of ['A private garden', 'secret plans', 'An archived attic', 'A deleted photo']) t.false(page.text.includes(hidden), hidden);
    t.regex(page.text, /<img src="https:\/\/photos\.example\/media\/[^"]+" alt="A red bicycle leaning on a &quot;blue&quot; wall" width="320" height="320"/, 'the tile is the thumbnail, with the alt text');
    t.regex(page.text, /<span class="text-tile">More about that morning<\/span>/);
    t.regex(page.text, /<p class="handle">@alice@photos\.example<\/p>/);
    t.regex(page.text, /<div class="bio"><p>Bikes, canals and &lt;b&gt;light&lt;\/b&gt;<\/p><\/div>/, 'the bio is the stored HTML; what was typed as markup stays text');

    // A name with markup is shown as text everywhere: heading, title, alt text, previews.
    t.false(/<script/i.test(page.text), 'no script element');
    t.regex(page.text, /<h1>&lt;script&gt;alert\(1\)&lt;\/script&gt;A&amp;&quot;B<\/h1>/);
    t.regex(page.text, /<img class="avatar" src="[^"]+" alt="&lt;script&gt;alert\(1\)&lt;\/script&gt;A&amp;&quot;B"/);
    t.is(meta(page.text, 'og:title'), '<script>alert(1)</script>A&"B (@alice@photos.example)');

    // Profile previews: the avatar the API gives, its size, and the actor behind the page.
    const account = await getJson(server, `/api/v1/accounts/${alice.accountId}`);
    t.is(meta(page.text, 'og:type'), 'profile');
    t.is(meta(page.text, 'og:url'), `${PUBLIC_URL}/@alice`);
    t.is(meta(page.text, 'og:site_name'), 'photos.example');
    t.is(meta(page.text, 'og:image'), account.body.avatar);
    t.is(meta(page.text, 'og:image:width'), '400');
    t.is(meta(page.text, 'og:image:height'), '400');
    const posts = account.body.statuses_count;
    t.true(page.text.includes(`<li><strong>${posts}</strong> posts</li>`), 'the counts the API gives');
    t.is(meta(page.text, 'og:description'), `${posts} posts, 0 followers, 0 following. Bikes, canals and <b>light</b>`);
    t.is(meta(page.text, 'twitter:card'), 'summary');
    t.true(page.text.includes(`<link rel="alternate" type="application/activity+json" href="${PUBLIC_URL}/users/alice">`));

    // The public post: every piece of it, and a preview with its own photo.
    const shown = await open(server, `/@alice/${ids.public}`);
    t.is(shown.status, 200);
    const status = (await getJson(server, `/api/v1/statuses/${ids.public}`)).body;
    const media = status.media_attachments[0];
    t.true(shown.text.includes(`<img src="${media.variants.large.jpeg}" alt="A red bicycle leaning on a &quot;blue&quot; wall" width="${media.meta.large.width}" height="${media.meta.large.height}"`));
    t.true(shown.text.includes(`<source type="image/webp" srcset="${media.variants.large.webp}">`));
    t.true(shown.text.includes(`<div class="caption">${status.content}</div>`), 'the caption as the API serves it');
    t.regex(status.content, /href="https:\/\/photos\.example\/tags\/bikes"/);
    t.regex(shown.text, /<span class="place">Canal Saint-Martin<\/span>/);
    t.true(shown.text.includes(`<time datetime="${status.created_at}">`));
    t.regex(shown.text, /0 likes · 1 comment · 0 shares/);
    t.regex(shown.text, /<span class="handle">@alice@photos\.example<\/span>/);
    t.is(meta(shown.text, 'og:type'), 'article');
    t.is(meta(shown.text, 'og:url'), `${PUBLIC_URL}/@alice/${ids.public}`);
    t.is(meta(shown.text, 'og:image'), media.variants.large.jpeg);
    t.is(meta(shown.text, 'og:image:width'), String(media.meta.large.width));
    t.is(meta(shown.text, 'og:image:height'), String(media.meta.large.height));
    t.is(meta(shown.text, 'og:image:alt'), 'A red bicycle leaning on a "blue" wall');
    t.is(meta(shown.text, 'og:description'), 'Sunny morning #bikes');
    t.is(meta(shown.text, 'og:site_name'), 'photos.example');
    t.is(meta(shown.text, 'twitter:card'), 'summary_large_image');
    t.is(meta(shown.text, 'article:published_time'), status.created_at);
    t.true(shown.text.includes(`<link rel="alternate" type="application/activity+json" href="${PUBLIC_URL}/users/alice/statuses/${ids.public}">`));
    t.false(/<script/i.test(shown.text));

    const unlisted = await open(server, `/@alice/${ids.unlisted}`);
    t.is(unlisted.status, 200);
    t.regex(unlisted.text, /alt="A quiet harbour"/);
    t.is((await open(server, `/@alice/${selfComment}`)).status, 200, 'a public comment has its page too');

    // Everything else is one and the same 404 page: whether a post exists is not revealed.
    const unknown = await open(server, `/@alice/${Number(ids.public) + 987654}`);
    t.is(unknown.status, 404);
    t.regex(unknown.type ?? '', /^text\/html/);
    for (const [what, path] of [
      ['followers-only', `/@alice/${ids.private}`],
      ['direct', `/@alice/${ids.direct}`],
      ['archived', `/@alice/${ids.archived}`],
      ['deleted', `/@alice/${ids.deleted}`],
      ['under another name', `/@bob/${ids.public}`],
      ['not an id', '/@alice/not-a-number'],
    ] as const) {
      const hidden = await open(server, path);
      t.is(hidden.status, 404, what);
      t.is(hidden.text, unknown.text, `${what}: the same page as an unknown id`);
    }

    // The hashtag page lists public posts only (unlisted ones stay out of tag listings, as on Mastodon).
    const tag = await open(server, '/tags/bikes');
    t.is(tag.status, 200);
    t.deepEqual(tiles(tag.text, 'alice'), [ids.public]);
    t.regex(tag.text, /<h1>#bikes<\/h1>/);
    const odd = await open(server, '/tags/%3Cscript%3E');
    t.is(odd.status, 200);
    t.false(/<script/i.test(odd.text), 'a tag name from the URL is escaped');
  });

  test(`${target.name}: browsers asking for ActivityPub ids are sent to the pages; unknown and suspended accounts get 404 and 410 pages`, async (t) => {
    const server = await startServer(t, target);
    const carol = await createUser(server, 'carol');
    const id = await photoPost(server, carol, 'A lighthouse', { status: 'Lighthouse', visibility: 'public' });

    const actor = await open(server, '/users/carol');
    t.is(actor.status, 302);
    t.is(actor.location, '/@carol');
    const note = await open(server, `/users/carol/statuses/${id}`);
    t.is(note.status, 302);
    t.is(note.location, `/@carol/${id}`);
    t.is((await open(server, note.location!)).status, 200);
    // Servers asking for ActivityPub JSON are never given a page (Fedify answers them).
    for (const accept of ['application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']) {
      const machine = await open(server, '/users/carol', accept);
      t.not(machine.status, 302, accept);
      t.notRegex(machine.type ?? '', /text\/html/, accept);
    }

    // Behind a content warning: a text tile in the grid, the photo behind a click, and no photo in link previews.
    const warned = await photoPost(server, carol, 'A large spider', { status: 'Look closely', visibility: 'public', sensitive: true, spoiler_text: 'Spiders' });
    const grid = await open(server, '/@carol');
    t.regex(grid.text, new RegExp(`<a class="tile" href="${PUBLIC_URL}/@carol/${warned}"><span class="text-tile warning">Spiders</span></a>`));
    t.false(grid.text.includes('A large spider'));
    const warnedPage = await open(server, `/@carol/${warned}`);
    t.regex(warnedPage.text, /<details class="spoiler"><summary>Spiders<\/summary><div class="media">.*alt="A large spider"/s);
    t.is(meta(warnedPage.text, 'og:description'), 'Spiders');
    t.is(meta(warnedPage.text, 'og:image'), (await getJson(server, `/api/v1/accounts/${carol.accountId}`)).body.avatar, 'the avatar, not the photo');
    t.is(meta(warnedPage.text, 'twitter:card'), 'summary');

    const nobody = await open(server, '/@nobody');
    t.is(nobody.status, 404);
    t.regex(nobody.type ?? '', /^text\/html/);
    t.regex(nobody.text, /<h1>Not found<\/h1>/);
    t.is((await open(server, '/@carol@elsewhere.example')).status, 404, 'remote accounts have their page on their own server');
    t.is((await open(server, '/@CAROL')).status, 200, 'usernames are case-insensitive');
    t.is((await open(server, '/@carol@photos.example')).status, 200, 'the full handle names a local account too');

    await setAccountSuspendedAt(server.db, carol.accountId, Date.now());
    const suspended = await open(server, '/@carol');
    t.is(suspended.status, 410);
    t.regex(suspended.text, /@carol@photos\.example has been suspended/);
    t.false(suspended.text.includes('lighthouse'));
    t.is((await open(server, `/@carol/${id}`)).status, 404, "a suspended author's posts are gone");
  });

  test(`${target.name}: the grid pages with "Older posts" links; text tiles for text posts`, async (t) => {
    const server = await startServer(t, target);
    const dora = await createUser(server, 'dora');
    const first = await photoPost(server, dora, 'The first photo', { status: 'Start', visibility: 'public' });
    const notes: string[] = [];
    for (let i = 1; i <= 25; i++) notes.push(await comment(server, dora, first, `Note ${i}`));
    const newestFirst = [...notes].reverse().concat(first);

    const one = await open(server, '/@dora');
    t.deepEqual(tiles(one.text, 'dora'), newestFirst.slice(0, 24));
    const older = /<a rel="next" href="(\/@dora\?max_id=\d+)">Older posts<\/a>/.exec(one.text);
    t.truthy(older);
    t.is(older![1], `/@dora?max_id=${newestFirst[23]}`);
    const two = await open(server, older![1]!);
    t.is(two.status, 200);
    t.deepEqual(tiles(two.text, 'dora'), newestFirst.slice(24));
    t.regex(two.text, /alt="The first photo"/);
    t.false(two.text.includes('Older posts'), 'the last page has no link on');
    t.regex(one.text, /<span class="text-tile">Note 25<\/span>/);
    t.is((await open(server, '/@dora?max_id=junk')).text, one.text, 'a mangled max_id shows the first page');
  });

  if (videoTools) {
    test(`${target.name}: a video post page plays the video with its poster frame`, async (t) => {
      const server = await startServer(t, target);
      const erin = await createUser(server, 'erin');
      const clip = await makeVideo(videoTools, tempDir(t), { width: 320, height: 240, seconds: 1 });
      const media = await upload(server, erin, clip, 'video/mp4', 'Waves on the shore');
      const id = await post(server, erin, { status: 'Waves', media_ids: [media], visibility: 'public' });
      const attachment = (await getJson(server, `/api/v1/statuses/${id}`)).body.media_attachments[0];

      const page = await open(server, `/@erin/${id}`);
      t.is(page.status, 200);
      t.true(page.text.includes(`<video controls preload="metadata" width="${attachment.meta.original.width}" height="${attachment.meta.original.height}" poster="${attachment.preview_url}" src="${attachment.url}" aria-label="Waves on the shore"></video>`));
      t.regex(page.text, /<figcaption class="alt">Waves on the shore<\/figcaption>/);
      t.is(meta(page.text, 'og:image'), attachment.preview_url, 'the preview shows the poster frame');
      t.is(meta(page.text, 'og:image:alt'), 'Waves on the shore');
      const grid = await open(server, '/@erin');
      t.regex(grid.text, /<span class="badge" title="Video">▶<\/span>/);
    });
  }
}
