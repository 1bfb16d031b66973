// SQL for `blocks`. What a block breaks (follows, requests, close friends
// both ways) is the social service's business; this file only keeps the row.
// Reading whether a block stands is in relationships.repo.ts and audience.repo.ts.
import { newId } from './ids.ts';
import type { Queryable } from './knex.ts';

/** True when the block is new. */
export async function insertBlock(db: Queryable, accountId: number, targetAccountId: number, options: { uri?: string | null } = {}, now = Date.now()): Promise<boolean> {
  const inserted = await db('blocks')
    .insert({ id: newId(now), account_id: accountId, target_account_id: targetAccountId, uri: options.uri ?? null, created_at: now })
    .onConflict(['account_id', 'target_account_id'])
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

/** True when there was a block to lift. */
export async function deleteBlock(db: Queryable, accountId: number, targetAccountId: number): Promise<boolean> {
  return (await db('blocks').where({ account_id: accountId, target_account_id: targetAccountId }).del()) > 0;
}

/** True when `accountId` blocks `targetAccountId` (one way). */
export async function isBlocking(db: Queryable, accountId: number, targetAccountId: number): Promise<boolean> {
  return (await db('blocks').where({ account_id: accountId, target_account_id: targetAccountId }).first('id')) !== undefined;
}

/** Every account in a block with `accountId`, either way (search leaves them out). */
export async function findBlockedEitherWayIds(db: Queryable, accountId: number): Promise<number[]> {
  const [blocking, blockedBy] = await Promise.all([
    db('blocks').where('account_id', accountId).pluck('target_account_id') as Promise<unknown[]>,
    db('blocks').where('target_account_id', accountId).pluck('account_id') as Promise<unknown[]>,
  ]);
  return [...new Set([...blocking, ...blockedBy].map(Number))];
}
