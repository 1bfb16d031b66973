// What a domain block does to the remote accounts it covers, in batches of
// short transactions (a large instance has many thousands of accounts, and on
// SQLite one long write would stall every other writer). Each step is
// idempotent: a run cut short is finished by blocking again.
//
// suspend: accounts get suspended_at (the block's time), and every follow and
//   follow request between them and local accounts goes, both ways, through
//   the same repository calls and feed event as a block between two
//   accounts: counts move back, home feeds are cleaned by a job, close-friend
//   entries and the follow notifications go.
// silence: accounts get silenced_at.
// noop: nothing here (reject media / reports are read by federation).
import { deleteCloseFriendsBetween } from '../../db/close-friends.repo.ts';
import {
  findAccountIdsWithin,
  findLocalTies,
  moveAccountMarks,
  type DomainBlock,
  type DomainScope,
  type LocalTie,
  type MarkColumn,
} from '../../db/domain-blocks.repo.ts';
import { deleteFollow, deleteFollowRequest, lockAccounts } from '../../db/follows.repo.ts';
import type { Db, Queryable } from '../../db/knex.ts';
import { feedAuthorRemoved } from '../feeds/feed-events.ts';
import { withdrawNotification } from '../notifications/notify.ts';

const ACCOUNT_BATCH = 500;
const TIES_PER_QUERY = 500;
// Each tie is a handful of statements; a hundred keeps a transaction to milliseconds.
const TIES_PER_TRANSACTION = 100;

export interface DomainBlockEffects {
  /** Accounts this run marked suspended / silenced. */
  suspended: number;
  silenced: number;
  /** Accounts whose mark from this block was lifted. */
  unsuspended: number;
  unsilenced: number;
  /** Follows and follow requests removed (both directions). */
  followsRemoved: number;
  requestsRemoved: number;
}

export function noEffects(): DomainBlockEffects {
  return { suspended: 0, silenced: 0, unsuspended: 0, unsilenced: 0, followsRemoved: 0, requestsRemoved: 0 };
}

export function addEffects(into: DomainBlockEffects, more: DomainBlockEffects): DomainBlockEffects {
  for (const key of Object.keys(into) as (keyof DomainBlockEffects)[]) into[key] += more[key];
  return into;
}

const columnOf = { suspend: 'suspended_at', silence: 'silenced_at' } as const satisfies Record<string, MarkColumn>;

/** Every account within `scope` whose `column` holds `from` gets `to`; returns how many. */
async function moveMarks(db: Db, scope: DomainScope, column: MarkColumn, from: number | null, to: number | null, now: number): Promise<number> {
  let moved = 0;
  for (let afterId = 0; ; ) {
    const ids = await findAccountIdsWithin(db, scope, { afterId, limit: ACCOUNT_BATCH, mark: { column, equals: from } });
    if (ids.length === 0) return moved;
    moved += await moveAccountMarks(db, ids, column, from, to, now);
    afterId = ids.at(-1)!;
  }
}

/** Applies `block`'s severity to the accounts within `scope` (the block's own reach, or a part of it). */
export async function applyBlock(db: Db, block: DomainBlock, scope: DomainScope, now = Date.now()): Promise<DomainBlockEffects> {
  const effects = noEffects();
  if (block.severity === 'silence') effects.silenced = await moveMarks(db, scope, columnOf.silence, null, block.createdAt, now);
  if (block.severity !== 'suspend') return effects;
  // Suspend first: from then on no new follow either way gets through while the old ones are removed.
  effects.suspended = await moveMarks(db, scope, columnOf.suspend, null, block.createdAt, now);
  for (let afterId = 0; ; ) {
    const ids = await findAccountIdsWithin(db, scope, { afterId, limit: ACCOUNT_BATCH });
    if (ids.length === 0) return effects;
    await severLocalTies(db, ids, effects);
    afterId = ids.at(-1)!;
  }
}

/** Lifts the marks `block` made within `scope`: those of `severities` (both by default). */
export async function liftBlock(db: Db, block: DomainBlock, scope: DomainScope, severities: ('suspend' | 'silence')[] = ['suspend', 'silence'], now = Date.now()): Promise<DomainBlockEffects> {
  const effects = noEffects();
  if (severities.includes('suspend')) effects.unsuspended = await moveMarks(db, scope, columnOf.suspend, block.createdAt, null, now);
  if (severities.includes('silence')) effects.unsilenced = await moveMarks(db, scope, columnOf.silence, block.createdAt, null, now);
  return effects;
}

/** Ends every follow and request between local accounts and these remote ones (a domain suspended, an actor deleted), telling no one. */
export async function severRemoteTies(db: Db, remoteIds: number[]): Promise<DomainBlockEffects> {
  const effects = noEffects();
  await severLocalTies(db, remoteIds, effects);
  return effects;
}

async function severLocalTies(db: Db, remoteIds: number[], effects: DomainBlockEffects): Promise<void> {
  for (;;) {
    const ties = await findLocalTies(db, remoteIds, TIES_PER_QUERY);
    if (ties.length === 0) return;
    for (let start = 0; start < ties.length; start += TIES_PER_TRANSACTION) {
      const chunk = ties.slice(start, start + TIES_PER_TRANSACTION);
      await db.transaction(async (trx) => {
        // The same lock as a follow or block between the pair, so none interleaves with this.
        await lockAccounts(trx, chunk.flatMap((tie) => [tie.localId, tie.remoteId]));
        for (const tie of chunk) await severTie(trx, tie, effects);
      });
    }
  }
}

async function severTie(trx: Queryable, { localId, remoteId }: LocalTie, effects: DomainBlockEffects): Promise<void> {
  if (await deleteFollow(trx, localId, remoteId)) {
    effects.followsRemoved += 1;
    await feedAuthorRemoved(trx, localId, remoteId);
  }
  if (await deleteFollow(trx, remoteId, localId)) {
    effects.followsRemoved += 1;
    await withdrawNotification(trx, { type: 'follow', recipientId: localId, fromAccountId: remoteId });
  }
  if (await deleteFollowRequest(trx, localId, remoteId)) effects.requestsRemoved += 1;
  if (await deleteFollowRequest(trx, remoteId, localId)) {
    effects.requestsRemoved += 1;
    await withdrawNotification(trx, { type: 'follow_request', recipientId: localId, fromAccountId: remoteId });
  }
  await deleteCloseFriendsBetween(trx, localId, remoteId);
}
