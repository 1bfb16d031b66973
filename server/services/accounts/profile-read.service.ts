// Reading profiles for the client API: by id, by acct, by search, and the
// viewer's relationships to them. A profile stays readable by id and acct
// across a block (as in Mastodon); search leaves out accounts in a block with
// the viewer.
import type { Config } from '../../../config/load.ts';
import { notFound } from '../../errors.ts';
import {
  findAccountById,
  findAccountByUsername,
  findAccountsByIds,
  findRolesByAccountIds,
  searchAccounts,
  type Account,
} from '../../db/accounts.repo.ts';
import { findBlockedEitherWayIds } from '../../db/blocks.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { countFollowRequestsFor, findRelationships, type RelationshipFlags } from '../../db/relationships.repo.ts';
import type { User, UserRole } from '../../db/users.repo.ts';
import { postingDefaultsOf, type PostingDefaults } from './profile-preferences.ts';
import { authEpoch } from '../../db/auth-changes.ts';
import { createEpochCache } from '../cache/epoch-cache.ts';
import { requestOutboxBackfill } from '../federation/backfill.ts';

export interface ProfileView {
  account: Account;
  /** The login role of a local account; null for remote ones. */
  role: UserRole | null;
  /** Where the account moved (an accepted Move), shown by apps as "has moved to". */
  movedTo?: Account | null;
}

export async function getProfile(db: Queryable, id: number): Promise<ProfileView> {
  const account = await findAccountById(db, id);
  if (!account) throw notFound();
  const roles = await findRolesByAccountIds(db, [id]);
  const movedTo = account.movedToAccountId === null ? null : ((await findAccountById(db, account.movedToAccountId)) ?? null);
  return { account, role: roles.get(id) ?? null, movedTo };
}

/**
 * `acct` as apps send it: `alice`, `@alice`, `alice@our.domain` (local) or
 * `bob@other.example` (remote: one we know, else found through `resolve`,
 * federation's WebFinger lookup, when given).
 */
/** A profile someone opened: a remote account's recent public posts are fetched in the background, so its grid is not empty. */
export async function openProfile(db: Queryable, id: number): Promise<ProfileView> {
  const view = await getProfile(db, id);
  if (view.account.domain !== null) await requestOutboxBackfill(db, view.account);
  return view;
}

export async function lookupProfile(db: Queryable, config: Pick<Config, 'domain'>, acct: string, resolve?: (handle: string) => Promise<Account | null>): Promise<ProfileView> {
  const [username, domain] = acct.trim().replace(/^@/, '').split('@', 2) as [string, string | undefined];
  if (!username) throw notFound();
  const local = !domain || domain.toLowerCase() === config.domain.toLowerCase();
  const account = (await findAccountByUsername(db, username, local ? null : domain)) ?? (!local && resolve ? await resolve(`${username}@${domain}`) : undefined);
  if (!account) throw notFound();
  const roles = await findRolesByAccountIds(db, [account.id]);
  return { account, role: roles.get(account.id) ?? null };
}

export interface ProfileSearch {
  limit: number;
  offset: number;
  /** The signed-in viewer: accounts in a block with them (either way) are left out. */
  viewerId?: number | null;
}

export async function searchProfiles(db: Queryable, query: string, options: ProfileSearch): Promise<ProfileView[]> {
  // "@alice@example.com" → "alice": the username part is what we match on.
  const text = query.trim().replace(/^@/, '').split('@')[0] ?? '';
  if (text === '') return [];
  const excluded = new Set(options.viewerId ? await findBlockedEitherWayIds(db, options.viewerId) : []);
  let accounts = await searchAccounts(db, text, excluded.size === 0 ? { limit: options.limit, offset: options.offset } : { limit: options.offset + options.limit + excluded.size, offset: 0 });
  if (excluded.size > 0) {
    // Reading as many extra rows as there are blocked accounts, from the top,
    // keeps pages exact; most viewers block nobody and pay nothing.
    accounts = accounts.filter((account) => !excluded.has(account.id)).slice(options.offset, options.offset + options.limit);
  }
  const roles = await findRolesByAccountIds(db, accounts.map((a) => a.id));
  return accounts.map((account) => ({ account, role: roles.get(account.id) ?? null }));
}

/** The viewer's relationship to each existing account among `ids`, in the order asked. */
export async function getRelationships(db: Queryable, viewerAccountId: number, ids: number[]): Promise<{ id: number; flags: RelationshipFlags }[]> {
  const existing = new Set((await findAccountsByIds(db, ids)).map((a) => a.id));
  const known = ids.filter((id) => existing.has(id));
  const flags = await findRelationships(db, viewerAccountId, known);
  return known.map((id) => ({ id, flags: flags.get(id)! }));
}

/** What CredentialAccount adds to the viewer's own account. */
// verify_credentials is what apps call most; the count is its only query.
const followRequestCounts = createEpochCache<number, number>({ ttlMs: 5_000, maxEntries: 10_000 });

export async function getCredentialExtras(db: Queryable, user: User, accountId: number): Promise<{ defaults: PostingDefaults; followRequestsCount: number }> {
  const now = Date.now();
  let count = followRequestCounts.get(accountId, now);
  if (count === undefined) {
    const epoch = authEpoch();
    count = await countFollowRequestsFor(db, accountId);
    followRequestCounts.set(accountId, count, epoch, now);
  }
  return { defaults: postingDefaultsOf(user), followRequestsCount: count };
}
