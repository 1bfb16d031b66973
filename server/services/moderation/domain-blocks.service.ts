// Domain blocks, as in Mastodon (the CLI today, the admin panel later): an
// admin blocks a whole remote instance, with a severity:
// - suspend: its accounts are suspended (nothing of theirs is shown, nothing
//   from it accepted) and every follow between them and local accounts goes;
// - silence: its accounts are limited;
// - noop: only the media / reports options.
// A block covers subdomains too (example.com covers media.example.com).
// Lifting a block lifts exactly the suspensions and silences it made, then
// re-applies any other block that still covers some of those accounts.
import { isUniqueViolation } from '../../db/accounts.repo.ts';
import {
  DOMAIN_BLOCK_SEVERITIES,
  deleteDomainBlock,
  findDomainBlock,
  findDomainBlocksIn,
  findDomainBlocksWithin,
  insertDomainBlock,
  listDomainBlockRows,
  updateDomainBlock,
  type DomainBlock,
  type DomainBlockFields,
  type DomainBlockSeverity,
} from '../../db/domain-blocks.repo.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import { notFound, unprocessable } from '../../errors.ts';
import { addEffects, applyBlock, liftBlock, noEffects, type DomainBlockEffects } from './domain-block-effects.ts';
import { coveringDomains, domainCovers, normalizeDomain, scopeOf } from './domain-names.ts';
import { clearDomainPolicyCache } from './domain-policy.ts';

export type { DomainBlock, DomainBlockSeverity } from '../../db/domain-blocks.repo.ts';
export { DOMAIN_BLOCK_SEVERITIES } from '../../db/domain-blocks.repo.ts';
export type { DomainBlockEffects } from './domain-block-effects.ts';
export { normalizeDomain, domainCovers } from './domain-names.ts';
export { applyDomainPolicyToNewAccount, clearDomainPolicyCache, domainPolicy, DOMAIN_POLICY_TTL_MS, type DomainPolicy } from './domain-policy.ts';

export interface BlockDomainInput {
  domain: string;
  /** Absent: suspend for a new block (what "block" means to most admins), unchanged for an existing one. */
  severity?: DomainBlockSeverity;
  /** Absent: false for a new block, unchanged for an existing one (and so for the rest). */
  rejectMedia?: boolean;
  rejectReports?: boolean;
  /** Seen by moderators only; '' clears it. */
  privateComment?: string | null;
  /** Shown publicly with the reason; '' clears it. */
  publicComment?: string | null;
  /** This instance's own domain: a block that would cover it is refused. */
  instanceDomain?: string;
}

export interface BlockDomainResult {
  block: DomainBlock;
  created: boolean;
  /** The severity before, when an existing block changed it. */
  previousSeverity: DomainBlockSeverity | null;
  effects: DomainBlockEffects;
}

/**
 * Creates or updates the block on `input.domain`, then brings the accounts
 * it covers in line: changing the severity lifts what the old one did and
 * applies the new one. Running it again finishes a run cut short.
 */
export async function blockDomain(db: Db, input: BlockDomainInput, now = Date.now()): Promise<BlockDomainResult> {
  const domain = normalizeDomain(input.domain);
  if (input.severity !== undefined && !DOMAIN_BLOCK_SEVERITIES.includes(input.severity)) {
    throw unprocessable(`Severity must be one of ${DOMAIN_BLOCK_SEVERITIES.join(', ')}`);
  }
  if (input.instanceDomain !== undefined && domainCovers(domain, input.instanceDomain)) {
    throw unprocessable(`A block on ${domain} would cover this instance (${input.instanceDomain})`);
  }
  const changes: Partial<DomainBlockFields> = {
    severity: input.severity,
    rejectMedia: input.rejectMedia,
    rejectReports: input.rejectReports,
    privateComment: comment(input.privateComment),
    publicComment: comment(input.publicComment),
  };

  const { block, previous } = await saveBlock(db, domain, changes, now);
  clearDomainPolicyCache(db);
  const effects = noEffects();
  const previousSeverity = previous && previous.severity !== block.severity ? previous.severity : null;
  if (previousSeverity === 'suspend' || previousSeverity === 'silence') {
    addEffects(effects, await liftBlock(db, block, scopeOf(domain), [previousSeverity], now));
  }
  addEffects(effects, await applyBlocksReaching(db, domain, now));
  return { block, created: previous === undefined, previousSeverity, effects };
}

const comment = (text: string | null | undefined) => (text === undefined ? undefined : text?.trim() || null);

async function saveBlock(db: Db, domain: string, changes: Partial<DomainBlockFields>, now: number): Promise<{ block: DomainBlock; previous: DomainBlock | undefined }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (trx) => {
        const previous = await findDomainBlock(trx, domain);
        if (previous) {
          await updateDomainBlock(trx, previous.id, changes);
          return { block: (await findDomainBlock(trx, domain))!, previous };
        }
        const fields: DomainBlockFields = {
          severity: changes.severity ?? 'suspend',
          rejectMedia: changes.rejectMedia ?? false,
          rejectReports: changes.rejectReports ?? false,
          privateComment: changes.privateComment ?? null,
          publicComment: changes.publicComment ?? null,
        };
        return { block: await insertDomainBlock(trx, domain, fields, now), previous: undefined };
      });
    } catch (error) {
      // Another process created the same block (or drew the same id) meanwhile: the next attempt updates it.
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}

export interface UnblockDomainResult {
  block: DomainBlock;
  effects: DomainBlockEffects;
}

/** Lifts the block on `domain` (404 when there is none) and what it did; other blocks that cover some of its accounts stay in force. */
export async function unblockDomain(db: Db, domainText: string, now = Date.now()): Promise<UnblockDomainResult> {
  const domain = normalizeDomain(domainText);
  const block = await findDomainBlock(db, domain);
  if (!block) throw notFound(`No block on ${domain}`);
  await deleteDomainBlock(db, block.id);
  clearDomainPolicyCache(db);
  const effects = await liftBlock(db, block, scopeOf(domain), ['suspend', 'silence'], now);
  addEffects(effects, await applyBlocksReaching(db, domain, now));
  return { block, effects };
}

/** Every block, by domain. */
export function listDomainBlocks(db: Queryable): Promise<DomainBlock[]> {
  return listDomainBlockRows(db);
}

/** One block, by domain as an admin types it (404 when there is none). */
export async function getDomainBlock(db: Queryable, domainText: string): Promise<DomainBlock> {
  const domain = normalizeDomain(domainText);
  const block = await findDomainBlock(db, domain);
  if (!block) throw notFound(`No block on ${domain}`);
  return block;
}

/**
 * Applies every block that reaches accounts within `domain`'s reach: the
 * block on it, those on its parents (within this reach only) and those on
 * its subdomains (within their own). Blocks overlap when an admin blocks a
 * parent and a subdomain; each keeps its own marks.
 */
async function applyBlocksReaching(db: Db, domain: string, now: number): Promise<DomainBlockEffects> {
  const effects = noEffects();
  const scope = scopeOf(domain);
  const covering = await findDomainBlocksIn(db, coveringDomains(domain));
  const within = (await findDomainBlocksWithin(db, scope)).filter((block) => !covering.some((c) => c.id === block.id));
  for (const block of covering) addEffects(effects, await applyBlock(db, block, scope, now));
  for (const block of within) addEffects(effects, await applyBlock(db, block, scopeOf(block.domain), now));
  return effects;
}
