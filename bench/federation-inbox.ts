// The inbox half of the federation bench: N `Create` activities of public
// Notes with one Image each, as Mastodon shapes them, from a few remote
// actors, each POST signed (draft-cavage, RSA-2048) with Fedify's signRequest
// before the clock starts, so the figure is the server's and not the signing
// client's; then POSTed to the shared inbox by a pool of parallel clients,
// and timed until every one is a posts row.
import { setTimeout as sleep } from 'node:timers/promises';
import { signRequest } from '@fedify/fedify';
import { settings as configSettings } from '../config/settings.ts';
import type { Db } from '../server/db/knex.ts';
import { cpuPer, cpuWindow, jobCounts, perSecond, percentiles, serverCpuMs, type BenchServer, type Settings } from './federation-common.ts';
import { remoteActors, seedFollowedActors, type RemoteActor } from './federation-seed.ts';
import type { Stub } from './federation-stub.ts';

export interface SignedPost {
  headers: Record<string, string>;
  body: string;
}

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
// Mastodon's context for what a photo post carries beyond ActivityStreams.
const CONTEXT = [
  'https://www.w3.org/ns/activitystreams',
  { toot: 'http://joinmastodon.org/ns#', sensitive: 'as:sensitive', blurhash: 'toot:blurhash', focalPoint: { '@container': '@list', '@id': 'toot:focalPoint' } },
];

/** Activity i: sender i mod actors, published one second apart going back (remote post ids come from `published`). */
export function createActivity(actor: RemoteActor, i: number, mediaOrigin: string, runTag: string, publishedMs: number): unknown {
  const published = new Date(publishedMs).toISOString();
  const note = `${actor.uri}/statuses/${runTag}-${i}`;
  const followers = `${actor.uri}/followers`;
  return {
    '@context': CONTEXT,
    id: `${note}/activity`,
    type: 'Create',
    actor: actor.uri,
    published,
    to: [PUBLIC],
    cc: [followers],
    object: {
      id: note,
      type: 'Note',
      attributedTo: actor.uri,
      url: note,
      published,
      to: [PUBLIC],
      cc: [followers],
      sensitive: false,
      content: `<p>Photo ${i} from the federation bench <a href="${actor.uri}">#bench</a></p>`,
      attachment: [
        {
          type: 'Image',
          mediaType: 'image/jpeg',
          url: `${mediaOrigin}/media/${runTag}-${i}.jpg`,
          name: `Bench photo ${i}: a green rectangle`,
          width: 64,
          height: 48,
          blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
          focalPoint: [0, 0],
        },
      ],
    },
  };
}

export async function signActivities(inboxUrl: string, actors: RemoteActor[], count: number, mediaOrigin: string): Promise<SignedPost[]> {
  const runTag = Date.now().toString(36);
  const newest = Date.now() - 1000;
  const signed: SignedPost[] = [];
  for (let i = 0; i < count; i++) {
    const actor = actors[i % actors.length]!;
    const body = JSON.stringify(createActivity(actor, i, mediaOrigin, runTag, newest - i * 1000));
    const request = new Request(inboxUrl, { method: 'POST', headers: { 'content-type': 'application/activity+json', accept: 'application/activity+json' }, body });
    const withSignature = await signRequest(request, actor.privateKey, new URL(actor.keyId));
    signed.push({ headers: Object.fromEntries(withSignature.headers), body });
  }
  return signed;
}

export interface PostResults {
  statuses: Record<string, number>;
  /** Network errors (no HTTP answer). */
  errors: number;
  latenciesMs: number[];
  /** performance.now() when the last answer arrived. */
  lastAnswerAt: number;
  firstError: string | null;
}

/** POSTs every signed activity, `concurrency` at a time; each answer read to the end. */
export async function postAll(inboxUrl: string, posts: SignedPost[], concurrency: number, deadline: number): Promise<PostResults> {
  const results: PostResults = { statuses: {}, errors: 0, latenciesMs: [], lastAnswerAt: NaN, firstError: null };
  let next = 0;
  const client = async () => {
    while (next < posts.length) {
      if (performance.now() > deadline) throw new Error(`POSTing the activities took longer than the time allowed (${next} of ${posts.length} sent)`);
      const post = posts[next++]!;
      const started = performance.now();
      try {
        const response = await fetch(inboxUrl, { method: 'POST', headers: post.headers, body: post.body, signal: AbortSignal.timeout(30_000) });
        const text = await response.text();
        results.statuses[response.status] = (results.statuses[response.status] ?? 0) + 1;
        if (response.status !== 202 && results.firstError === null) results.firstError = `${response.status}: ${text.slice(0, 300)}`;
      } catch (error) {
        results.errors += 1;
        results.firstError ??= String(error);
      }
      const now = performance.now();
      results.latenciesMs.push(now - started);
      results.lastAnswerAt = now;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, client));
  return results;
}

// The lead's VIEWFINDER_REMOTE_MEDIA=off, when this tree has it: media rows stay pending, nothing is fetched.
const remoteMediaSetting = Object.values(configSettings).some((setting) => setting.env === 'VIEWFINDER_REMOTE_MEDIA');

async function remotePostCount(db: Db, domain: string): Promise<number> {
  const row = await db('posts').join('accounts', 'accounts.id', 'posts.account_id').where('accounts.domain', domain).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function measureInbox(s: Settings, server: BenchServer, db: Db, stub: Stub, author: { accountId: number }) {
  const actors = await remoteActors(stub, s.actors);
  await seedFollowedActors(db, author.accountId, actors);
  // Signed for the public URL: Fedify checks signatures against the request as the public origin sees it.
  const inboxUrl = `${server.publicUrl}/inbox`;
  const signingStarted = performance.now();
  const posts = await signActivities(inboxUrl, actors, s.activities, stub.origins[0]!);
  const signingMs = performance.now() - signingStarted;
  const domain = new URL(stub.origins[0]!).host;
  const before = await remotePostCount(db, domain);

  const cpuBefore = serverCpuMs(server.child.pid);
  const cpu = cpuWindow(server.child.pid);
  const started = performance.now();
  const deadline = started + s.timeout * 1000;
  // Set when every POST is answered (a holder object: the loop below reads what the callback wrote).
  const answered: { results: PostResults | null } = { results: null };
  const posting = postAll(inboxUrl, posts, s.concurrency, deadline).then((results) => (answered.results = results));
  posting.catch(() => {}); // awaited below; a rejection must not go unhandled while the loop polls
  let processed = 0;
  let firstPostAt = NaN;
  for (;;) {
    processed = (await remotePostCount(db, domain)) - before;
    const now = performance.now();
    if (processed > 0 && Number.isNaN(firstPostAt)) firstPostAt = now;
    if (processed >= s.activities) break;
    // Every POST answered and no inbox job left, yet posts missing: some activities were refused.
    const results = answered.results;
    if (results !== null && (await jobCounts(db, ['fedify.inbox']))['fedify.inbox'] === 0 && (await remotePostCount(db, domain)) - before < s.activities) {
      throw new Error(`only ${processed} of ${s.activities} activities became posts; HTTP statuses ${JSON.stringify(results.statuses)}, first error: ${results.firstError}`);
    }
    if (now > deadline) throw new Error(`${processed} of ${s.activities} activities processed within ${s.timeout} s`);
    await sleep(100);
  }
  const processedMs = performance.now() - started;
  const results = await posting;
  const cpuAfter = serverCpuMs(server.child.pid);
  const cores = cpu.end();
  const acceptedMs = results.lastAnswerAt - started;
  const all202 = results.errors === 0 && results.statuses['202'] === s.activities;
  return {
    activities: s.activities,
    actors: s.actors,
    concurrency: s.concurrency,
    remoteMedia: remoteMediaSetting ? 'off (VIEWFINDER_REMOTE_MEDIA=off)' : 'setting not available: each attachment is fetched from the stub (a 64×48 JPEG)',
    clientSigningMs: Math.round(signingMs),
    http: {
      statuses: results.statuses,
      networkErrors: results.errors,
      firstError: results.firstError,
      acceptedMs: Math.round(acceptedMs),
      acceptedPerSecond: perSecond(s.activities, acceptedMs),
      latencyMs: percentiles(results.latenciesMs),
    },
    processed: {
      posts: processed,
      firstPostMs: Math.round(firstPostAt - started),
      allProcessedMs: Math.round(processedMs),
      processedPerSecond: perSecond(s.activities, processedMs),
    },
    serverCpuMsPerActivity: cpuPer(cpuBefore, cpuAfter, s.activities),
    cores,
    target: { wanted: '>= 300 verified activities/s, all answered 202', met: all202 && perSecond(s.activities, processedMs) >= 300 },
  };
}
