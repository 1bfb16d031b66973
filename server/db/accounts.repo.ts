// SQL for `accounts`: local and remote actors alike (domain null for local).
// Rows are mapped to camelCase objects with real booleans (SQLite returns 0/1).
import type { Queryable } from './knex.ts';

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

export function accountFromRow(row: Row): Account {
  const account = {} as Record<string, unknown>;
  for (const [key, column] of Object.entries(columns) as [keyof Account, string][]) {
    account[key] = booleans.has(key) ? Boolean(row[column]) : (row[column] ?? null);
  }
  return account as unknown as Account;
}

function toRow(values: Partial<Account>): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) row[columns[key as keyof Account]] = value;
  }
  return row;
}

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
}

/**
 * True for a unique-constraint violation on either database, so services can
 * turn a lost race (two sign-ups for one name) into a clear 422.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' /* Postgres */ || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
