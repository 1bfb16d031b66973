// SQL for `accounts`: local and remote actors alike (domain null for local).
// Rows are mapped to camelCase objects with real booleans (SQLite returns 0/1).
import { createRowMapper } from './row-mapper.ts';
import type { Queryable } from './knex.ts';
import { noteAuthChange } from './auth-changes.ts';

export interface Account {
  id: number;
  username: string;
  /** Null for local accounts. */
  domain: string | null;
  displayName: string;
  note: string;
  noteHtml: string;
  avatarPath: string | null;
  headerPath: string | null;
  avatarRemoteUrl: string | null;
  headerRemoteUrl: string | null;
  locked: boolean;
  discoverable: boolean;
  hideCollections: boolean;
  bot: boolean;
  actorType: string;
  /** JSON text: [{name, value, verified_at}] */
  fields: string;
  uri: string | null;
  url: string | null;
  inboxUrl: string | null;
  sharedInboxUrl: string | null;
  outboxUrl: string | null;
  followersUrl: string | null;
  followingUrl: string | null;
  featuredUrl: string | null;
  /** JSON text: array of URIs */
  alsoKnownAs: string;
  movedToAccountId: number | null;
  followersCount: number;
  followingCount: number;
  postsCount: number;
  lastPostAt: number | null;
  suspendedAt: number | null;
  silencedAt: number | null;
  fetchedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What a new row needs; every other column takes its default. */
export type NewAccount = Pick<Account, 'id' | 'username' | 'domain' | 'createdAt' | 'updatedAt'> &
  Partial<Omit<Account, 'id' | 'username' | 'domain' | 'createdAt' | 'updatedAt'>>;

type Row = Record<string, unknown>;

const columns: Record<keyof Account, string> = {
  id: 'id',
  username: 'username',
  domain: 'domain',
  displayName: 'display_name',
  note: 'note',
  noteHtml: 'note_html',
  avatarPath: 'avatar_path',
  headerPath: 'header_path',
  avatarRemoteUrl: 'avatar_remote_url',
  headerRemoteUrl: 'header_remote_url',
  locked: 'locked',
  discoverable: 'discoverable',
  hideCollections: 'hide_collections',
  bot: 'bot',
  actorType: 'actor_type',
  fields: 'fields',
  uri: 'uri',
  url: 'url',
  inboxUrl: 'inbox_url',
  sharedInboxUrl: 'shared_inbox_url',
  outboxUrl: 'outbox_url',
  followersUrl: 'followers_url',
  followingUrl: 'following_url',
  featuredUrl: 'featured_url',
  alsoKnownAs: 'also_known_as',
  movedToAccountId: 'moved_to_account_id',
  followersCount: 'followers_count',
  followingCount: 'following_count',
  postsCount: 'posts_count',
  lastPostAt: 'last_post_at',
  suspendedAt: 'suspended_at',
  silencedAt: 'silenced_at',
  fetchedAt: 'fetched_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};
const booleans = new Set<keyof Account>(['locked', 'discoverable', 'hideCollections', 'bot']);

const mapper = createRowMapper<Account>(columns, booleans);
export const accountFromRow = mapper.fromRow;
const toRow = mapper.toRow;


export async function findAccountById(db: Queryable, id: number): Promise<Account | undefined> {
  const row = await db('accounts').where({ id }).first();
  return row ? accountFromRow(row) : undefined;
}

/** Case-insensitive, like the unique index `accounts_acct_unique`; `domain` null finds a local account. */
export async function findAccountByUsername(db: Queryable, username: string, domain: string | null): Promise<Account | undefined> {
  const query = db('accounts').whereRaw('lower(username) = ?', [username.toLowerCase()]);
  if (domain === null) query.whereNull('domain');
  else query.whereRaw('lower(domain) = ?', [domain.toLowerCase()]);
  const row = await query.first();
  return row ? accountFromRow(row) : undefined;
}

export async function insertAccount(db: Queryable, values: NewAccount): Promise<Account> {
  await db('accounts').insert(toRow(values));
  return (await findAccountById(db, values.id))!;
}

export async function setAccountSuspendedAt(db: Queryable, id: number, suspendedAt: number | null, now = Date.now()): Promise<void> {
  await db('accounts').where({ id }).update({ suspended_at: suspendedAt, updated_at: now });
  noteAuthChange(db);
}

/**
 * True for a unique-constraint violation on either database, so services can
 * turn a lost race (two sign-ups for one name) into a clear 422.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' /* Postgres */ || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Fields a profile edit may change; `updatedAt` is set automatically. */
export type AccountChanges = Partial<Pick<Account, 'displayName' | 'note' | 'noteHtml' | 'avatarPath' | 'headerPath' | 'locked' | 'bot' | 'discoverable' | 'hideCollections' | 'fields'>>;

export async function updateAccount(db: Queryable, id: number, changes: AccountChanges, now = Date.now()): Promise<void> {
  await db('accounts').where({ id }).update({ ...toRow(changes), updated_at: now });
  noteAuthChange(db);
}

/** The accounts with these ids that exist, in no particular order. */
export async function findAccountsByIds(db: Queryable, ids: number[]): Promise<Account[]> {
  if (ids.length === 0) return [];
  const rows: Row[] = await db('accounts').whereIn('id', ids);
  return rows.map(accountFromRow);
}

/** Local accounts among `usernames` (any case), e.g. to link @mentions. */
export async function findLocalAccountsByUsernames(db: Queryable, usernames: string[]): Promise<Account[]> {
  if (usernames.length === 0) return [];
  const rows: Row[] = await db('accounts')
    .whereNull('domain')
    .whereIn(db.raw('lower(username)') as unknown as string, usernames.map((name) => name.toLowerCase()));
  return rows.map(accountFromRow);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Accounts whose username starts with `query` or whose display name contains
 * it (any case), suspended ones left out; exact username matches first.
 */
export async function searchAccounts(db: Queryable, query: string, options: { limit: number; offset: number; localOnly?: boolean }): Promise<Account[]> {
  const lower = query.toLowerCase();
  const q = db('accounts')
    .whereNull('suspended_at')
    .where((w) =>
      w
        .whereRaw("lower(username) like ? escape '\\'", [`${escapeLike(lower)}%`])
        .orWhereRaw("lower(display_name) like ? escape '\\'", [`%${escapeLike(lower)}%`]),
    )
    .orderByRaw('case when lower(username) = ? then 0 else 1 end', [lower])
    .orderByRaw('case when domain is null then 0 else 1 end')
    .orderBy('followers_count', 'desc')
    .orderBy('id', 'asc')
    .limit(options.limit)
    .offset(options.offset);
  if (options.localOnly) q.whereNull('domain');
  const rows: Row[] = await q;
  return rows.map(accountFromRow);
}

export interface InstanceCounts {
  /** Local accounts, suspended ones left out. */
  users: number;
  /** Posts by local accounts. */
  posts: number;
  /** Other servers we know accounts on. */
  domains: number;
}

export async function countInstance(db: Queryable): Promise<InstanceCounts> {
  const [local, domains] = await Promise.all([
    db('accounts').whereNull('domain').whereNull('suspended_at').first(db.raw('count(*) as n'), db.raw('coalesce(sum(posts_count), 0) as posts')),
    db('accounts').whereNotNull('domain').countDistinct({ n: 'domain' }).first(),
  ]);
  return { users: Number(local?.n ?? 0), posts: Number(local?.posts ?? 0), domains: Number(domains?.n ?? 0) };
}

/** Local users who signed in, used an app or posted since `since` (epoch ms). */
export async function countActiveLocalUsers(db: Queryable, since: number): Promise<number> {
  const row = await db('users')
    .join('accounts', 'accounts.id', 'users.account_id')
    .whereNull('accounts.suspended_at')
    .where((w) =>
      w
        .where('users.last_sign_in_at', '>=', since)
        .orWhere('accounts.last_post_at', '>=', since)
        .orWhereExists((sub) => sub.select(db.raw('1')).from('oauth_tokens').whereRaw('oauth_tokens.user_id = users.id').where('oauth_tokens.last_used_at', '>=', since)),
    )
    .count({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/** The login role of each local account among `ids` (remote accounts have none). */
export async function findRolesByAccountIds(db: Queryable, ids: number[]): Promise<Map<number, 'user' | 'moderator' | 'admin'>> {
  if (ids.length === 0) return new Map();
  const rows: Row[] = await db('users').whereIn('account_id', ids).select('account_id', 'role');
  return new Map(rows.map((row) => [Number(row.account_id), row.role as 'user' | 'moderator' | 'admin']));
}

/** The account shown as the instance's contact: the named local account, else the first admin's. */
export async function findContactAccount(db: Queryable, username: string | undefined): Promise<Account | undefined> {
  if (username) {
    const named = await findAccountByUsername(db, username, null);
    if (named && named.suspendedAt === null) return named;
  }
  const row = await db('accounts')
    .join('users', 'users.account_id', 'accounts.id')
    .where('users.role', 'admin')
    .whereNull('accounts.suspended_at')
    .orderBy('users.id', 'asc')
    .first('accounts.*');
  return row ? accountFromRow(row) : undefined;
}

/** A local or remote account by its ActivityPub id (remote rows only store one). */
export async function findAccountByUri(db: Queryable, uri: string): Promise<Account | undefined> {
  const row = await db('accounts').where({ uri }).first();
  return row ? accountFromRow(row) : undefined;
}

export async function findAccountsByUris(db: Queryable, uris: string[]): Promise<Account[]> {
  if (uris.length === 0) return [];
  const rows = await db('accounts').whereIn('uri', [...new Set(uris)]);
  return rows.map(accountFromRow);
}

/** What a fetched actor document may change on a remote account row. */
export type RemoteAccountChanges = Partial<Omit<Account, 'id' | 'createdAt' | 'followersCount' | 'followingCount' | 'postsCount' | 'suspendedAt' | 'silencedAt'>>;

export async function updateRemoteAccount(db: Queryable, id: number, changes: RemoteAccountChanges, now = Date.now()): Promise<void> {
  await db('accounts').where({ id }).whereNotNull('domain').update({ ...toRow(changes), updated_at: now });
}
