// What the domain blocks say about one remote host. The inbox asks for every
// activity, so the blocks matching a host are kept in process for a few
// seconds; a block or unblock made in this process clears them at once, one
// made by another process (the CLI, another server) shows within the TTL.
import type { Account } from '../../db/accounts.repo.ts';
import { findDomainBlocksIn, moveAccountMarks, type DomainBlock, type DomainBlockSeverity } from '../../db/domain-blocks.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { coveringDomains } from './domain-names.ts';

export const DOMAIN_POLICY_TTL_MS = 5_000;
// Enough for every instance we hear from in a busy few seconds; past it the cache starts over.
const MAX_ENTRIES = 10_000;

export interface DomainPolicy {
  /** A block (of any severity, noop included) covers the host. */
  blocked: boolean;
  /** Refuse everything from it: activities, media, reports. */
  suspended: boolean;
  /** Its accounts are limited (hidden from those who do not follow them). True when suspended too. */
  silenced: boolean;
  /** Fetch no media from it. True when suspended too. */
  rejectMedia: boolean;
  /** Accept no reports (Flag) from it. True when suspended too. */
  rejectReports: boolean;
}

const NO_POLICY: DomainPolicy = { blocked: false, suspended: false, silenced: false, rejectMedia: false, rejectReports: false };

interface Entry {
  blocks: DomainBlock[];
  expiresAt: number;
}

interface Cache {
  entries: Map<string, Entry>;
  // Bumped on every clear: a lookup that started before a block changed must not cache what it read.
  generation: number;
}

// One cache per database (a process normally has one; tests have many), found
// from any connection or transaction of it through the client's shared config.
const caches = new WeakMap<object, Cache>();

function cacheOf(db: Queryable): Cache {
  const key = db.client.config as object;
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = { entries: new Map(), generation: 0 }));
  return cache;
}

/** Forgets every cached lookup of this database (block and unblock call it after their write). */
export function clearDomainPolicyCache(db: Queryable): void {
  const cache = cacheOf(db);
  cache.entries.clear();
  cache.generation += 1;
}

/** The blocks covering `host` (itself or a parent domain), most specific first. */
export async function blocksCovering(db: Queryable, host: string, now = Date.now()): Promise<DomainBlock[]> {
  const key = host.toLowerCase();
  const cache = cacheOf(db);
  const cached = cache.entries.get(key);
  if (cached && cached.expiresAt > now) return cached.blocks;
  const started = cache.generation;
  const candidates = coveringDomains(host);
  const found = await findDomainBlocksIn(db, candidates);
  const blocks = found.sort((a, b) => candidates.indexOf(a.domain) - candidates.indexOf(b.domain));
  if (started === cache.generation) {
    if (cache.entries.size >= MAX_ENTRIES) cache.entries.clear();
    cache.entries.set(key, { blocks, expiresAt: now + DOMAIN_POLICY_TTL_MS });
  }
  return blocks;
}

/**
 * What applies to activities, media and reports from `host`: the strictest
 * of every block covering it (the host itself or a parent domain, so a
 * block on example.com covers media.example.com).
 */
export async function domainPolicy(db: Queryable, host: string, now = Date.now()): Promise<DomainPolicy> {
  const blocks = await blocksCovering(db, host, now);
  if (blocks.length === 0) return NO_POLICY;
  const suspended = blocks.some((block) => block.severity === 'suspend');
  return {
    blocked: true,
    suspended,
    silenced: suspended || blocks.some((block) => block.severity === 'silence'),
    rejectMedia: suspended || blocks.some((block) => block.rejectMedia),
    rejectReports: suspended || blocks.some((block) => block.rejectReports),
  };
}

type NewRemoteAccount = Pick<Account, 'id' | 'domain' | 'suspendedAt' | 'silencedAt'>;

/**
 * For the federation code, right after it first stores a remote account (in
 * the same transaction if it likes): an account of a suspended or silenced
 * domain starts suspended or silenced, marked with the block's time so that
 * lifting the block lifts this too. Returns the account's marks as they now are.
 */
export async function applyDomainPolicyToNewAccount<T extends NewRemoteAccount>(db: Queryable, account: T, now = Date.now()): Promise<T> {
  if (account.domain === null) return account;
  const blocks = await blocksCovering(db, account.domain, now);
  // The most specific block of each severity marks it (any would do: unblocking re-applies the others).
  const markOf = (severity: DomainBlockSeverity) => blocks.find((block) => block.severity === severity)?.createdAt ?? null;
  const result = { ...account };
  const suspendAt = markOf('suspend');
  if (suspendAt !== null && account.suspendedAt === null && (await moveAccountMarks(db, [account.id], 'suspended_at', null, suspendAt, now)) > 0) {
    result.suspendedAt = suspendAt;
  }
  const silenceAt = markOf('silence');
  if (silenceAt !== null && account.silencedAt === null && (await moveAccountMarks(db, [account.id], 'silenced_at', null, silenceAt, now)) > 0) {
    result.silencedAt = silenceAt;
  }
  return result;
}
