// The visibility matrix for posts (DESIGN.md rule 3), over real HTTP on each
// database: one author posts one post of each visibility, plus an archived
// one, and replies of the same kinds under a public post of theirs. Every
// viewer (owner, follower, a follower who muted the author, pending requester,
// stranger, the accounts a post mentions, a block either way, anonymous) reads every subject through every
// read path; then the author is suspended and the whole matrix is read again.
// Each cell that disagrees with the table is reported as viewer × subject × path.
import test, { type ExecutionContext } from 'ava';
import { setAccountSuspendedAt } from '../../server/db/accounts.repo.ts';
import { newId } from '../../server/db/ids.ts';
import { databaseTargets, type DatabaseTarget } from '../helpers/databases.ts';
import { solidJpeg, uploadFile } from '../helpers/media-fixtures.ts';
import { createUser, getJson, startApiServer, type ApiServer, type TestUser } from './helpers.ts';
import { waitUntilProcessed } from './media-helpers.ts';

const SUBJECTS = ['public', 'unlisted', 'private', 'direct', 'archived'] as const;
type Subject = (typeof SUBJECTS)[number];

const VIEWERS = ['owner', 'follower', 'muter', 'requester', 'stranger', 'addressee', 'blocked', 'blocker', 'anonymous'] as const;
type Viewer = (typeof VIEWERS)[number];

const PATHS = ['status', 'batch', 'profile', 'context', 'history', 'archive'] as const;
type Path = (typeof PATHS)[number];

/**
 * What a viewer may see while the author is in good standing. The addressee
 * is mentioned in the private and direct posts (not a follower); the blocked
 * account (blocked by the author) and the blocker (who blocks the author) are
 * mentioned in them too, so the block must win over the mention. The
 * requester's follow request is still pending. A mute keeps the author out
 * of the muter's timelines and notifications, not out of what they may open,
 * as on Mastodon: the muter (a follower) sees what a follower sees.
 */
const SEES: Record<Viewer, readonly Subject[]> = {
  owner: SUBJECTS,
  follower: ['public', 'unlisted', 'private'],
  muter: ['public', 'unlisted', 'private'],
  requester: ['public', 'unlisted'],
  stranger: ['public', 'unlisted'],
  addressee: ['public', 'unlisted', 'private', 'direct'],
  blocked: [],
  blocker: [],
  anonymous: ['public', 'unlisted'],
};

/** What one read answers about one subject: seen, not seen, or the request refused. */
type Seen = 'shown' | 'hidden' | 'parent hidden' | 'refused' | 'unauthorized' | `status ${number}`;

type Phase = 'active' | 'suspended';

function expected(phase: Phase, viewer: Viewer, subject: Subject, path: Path): Seen {
  // A suspended account's tokens stop working (Mastodon's "login is disabled").
  if (phase === 'suspended' && viewer === 'owner') return 'refused';
  if (path === 'archive') {
    if (viewer === 'anonymous') return 'unauthorized';
    return viewer === 'owner' && subject === 'archived' ? 'shown' : 'hidden';
  }
  const sees = phase === 'active' ? SEES[viewer] : [];
  // The thread is read from the author's public post; a viewer who may not see it gets a 404.
  if (path === 'context' && !sees.includes('public')) return 'parent hidden';
  // The profile never lists archived posts, not even to their owner.
  if (path === 'profile' && subject === 'archived') return 'hidden';
  return sees.includes(subject) ? 'shown' : 'hidden';
}

interface Fixture {
  server: ApiServer;
  author: TestUser;
  /** undefined for the anonymous viewer. */
  tokens: Record<Viewer, string | undefined>;
  /** The top-level post of each subject. */
  posts: Record<Subject, string>;
  /** The reply of each subject under `parent`. */
  replies: Record<Subject, string>;
  parent: string;
}

async function send(server: ApiServer, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function photo(server: ApiServer, user: TestUser): Promise<string> {
  const upload = await uploadFile(server.url, user.token, await solidJpeg(120, 90), { type: 'image/jpeg' });
  if (upload.status === 202) {
    const done = await waitUntilProcessed(server, user.token, upload.body.id);
    if (done.status !== 200) throw new Error(`photo not processed: ${JSON.stringify(done.body)}`);
  } else if (upload.status !== 200) {
    throw new Error(`upload refused: ${upload.status} ${JSON.stringify(upload.body)}`);
  }
  return upload.body.id;
}

async function post(server: ApiServer, user: TestUser, body: Record<string, unknown>): Promise<string> {
  const answer = await send(server, '/api/v1/statuses', user.token, body);
  if (answer.status !== 200) throw new Error(`posting ${JSON.stringify(body)}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

const relation = (account: number, target: number) => ({ id: newId(), account_id: account, target_account_id: target, created_at: Date.now() });

async function setUp(t: ExecutionContext, target: DatabaseTarget): Promise<Fixture> {
  const server = await startApiServer(t, target, {}, { jobs: true });
  const [author, follower, muter, requester, stranger, addressee, blocked, blocker] = await Promise.all(
    ['ana', 'fred', 'milo', 'rita', 'nora', 'dana', 'bert', 'bella'].map((name) => createUser(server, name)),
  );
  const mentions = '@dana @bert @bella';
  const captions: Record<Subject, string> = {
    public: 'In the open',
    unlisted: 'Quietly public',
    private: `${mentions} for followers`,
    direct: `${mentions} hello`,
    archived: 'Put away',
  };
  const visibilityOf = (subject: Subject) => (subject === 'archived' ? 'public' : subject);

  const posts = {} as Record<Subject, string>;
  for (const subject of SUBJECTS) {
    const media = subject === 'direct' ? {} : { media_ids: [await photo(server, author)] };
    posts[subject] = await post(server, author, { status: captions[subject], visibility: visibilityOf(subject), ...media });
  }
  const parent = await post(server, author, { status: 'The thread', visibility: 'public', media_ids: [await photo(server, author)] });
  const replies = {} as Record<Subject, string>;
  for (const subject of SUBJECTS) {
    replies[subject] = await post(server, author, { status: `${captions[subject]} (reply)`, visibility: visibilityOf(subject), in_reply_to_id: parent });
  }
  for (const id of [posts.archived, replies.archived]) {
    const archived = await send(server, `/api/viewfinder/v1/statuses/${id}/archive`, author.token);
    if (archived.status !== 200) throw new Error(`archiving ${id}: ${archived.status} ${JSON.stringify(archived.body)}`);
  }

  // No follow or block API yet: the rows those will write.
  await server.db('follows').insert({ ...relation(follower!.accountId, author!.accountId), show_reblogs: true, notify: false });
  await server.db('follows').insert({ ...relation(muter!.accountId, author!.accountId), show_reblogs: true, notify: false });
  await server.db('mutes').insert({ ...relation(muter!.accountId, author!.accountId), hide_notifications: true });
  await server.db('follow_requests').insert({ ...relation(requester!.accountId, author!.accountId), show_reblogs: true, notify: false });
  await server.db('blocks').insert(relation(author!.accountId, blocked!.accountId));
  await server.db('blocks').insert(relation(blocker!.accountId, author!.accountId));

  const tokens: Record<Viewer, string | undefined> = {
    owner: author!.token,
    follower: follower!.token,
    muter: muter!.token,
    requester: requester!.token,
    stranger: stranger!.token,
    addressee: addressee!.token,
    blocked: blocked!.token,
    blocker: blocker!.token,
    anonymous: undefined,
  };
  return { server, author: author!, tokens, posts, replies, parent };
}

/** What `viewer` gets for every subject on every path. */
async function observe(fixture: Fixture, viewer: Viewer): Promise<Map<string, Seen>> {
  const { server, tokens, posts, replies, parent, author } = fixture;
  const token = tokens[viewer];
  const seen = new Map<string, Seen>();
  const key = (subject: Subject, path: Path) => `${subject}|${path}`;
  const refusal = (status: number): Seen | null => (status === 403 ? 'refused' : status === 401 ? 'unauthorized' : null);
  const single = (status: number, ok: boolean): Seen => refusal(status) ?? (status === 404 ? 'hidden' : status === 200 && ok ? 'shown' : `status ${status}`);
  const listing = (answer: { status: number; body: any }, id: string): Seen =>
    refusal(answer.status) ?? (answer.status === 200 && Array.isArray(answer.body) ? (answer.body.some((s: { id: string }) => s.id === id) ? 'shown' : 'hidden') : `status ${answer.status}`);

  const ids = SUBJECTS.map((subject) => `id[]=${posts[subject]}`).join('&');
  const [batch, profile, context, archive] = await Promise.all([
    getJson(server, `/api/v1/statuses?${ids}`, token),
    getJson(server, `/api/v1/accounts/${author.accountId}/statuses?limit=40`, token),
    getJson(server, `/api/v1/statuses/${parent}/context`, token),
    getJson(server, '/api/viewfinder/v1/archive?limit=40', token),
  ]);
  await Promise.all(
    SUBJECTS.map(async (subject) => {
      const id = posts[subject];
      const [status, history] = await Promise.all([getJson(server, `/api/v1/statuses/${id}`, token), getJson(server, `/api/v1/statuses/${id}/history`, token)]);
      seen.set(key(subject, 'status'), single(status.status, status.body?.id === id));
      seen.set(key(subject, 'history'), single(history.status, Array.isArray(history.body) && history.body.length >= 1));
      seen.set(key(subject, 'batch'), listing(batch, id));
      seen.set(key(subject, 'profile'), listing(profile, id));
      seen.set(key(subject, 'archive'), listing(archive, id));
      seen.set(
        key(subject, 'context'),
        context.status === 404 ? 'parent hidden' : listing({ status: context.status, body: context.body?.descendants }, replies[subject]),
      );
    }),
  );
  return seen;
}

async function mismatches(fixture: Fixture, phase: Phase): Promise<string[]> {
  const wrong: string[] = [];
  for (const viewer of VIEWERS) {
    const seen = await observe(fixture, viewer);
    for (const subject of SUBJECTS) {
      for (const path of PATHS) {
        const want = expected(phase, viewer, subject, path);
        const got = seen.get(`${subject}|${path}`);
        if (got !== want) wrong.push(`${phase}: ${viewer} × ${subject} × ${path}: expected ${want}, got ${got}`);
      }
    }
  }
  return wrong;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: every read path of a post follows the one visibility policy`, async (t) => {
    const fixture = await setUp(t, target);
    const cells = VIEWERS.length * SUBJECTS.length * PATHS.length;

    t.deepEqual(await mismatches(fixture, 'active'), [], `of ${cells} cells with the author in good standing`);

    await setAccountSuspendedAt(fixture.server.db, fixture.author.accountId, Date.now());
    t.deepEqual(await mismatches(fixture, 'suspended'), [], `of ${cells} cells with the author suspended`);
  });
}
