// What every social-graph write starts and ends with: the other account must
// exist (404 as Mastodon), and the answer is the viewer's Relationship to it,
// read after the write committed.
import { findAccountById, type Account } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { findRelationships, type RelationshipFlags } from '../../db/relationships.repo.ts';
import { notFound, unprocessable } from '../../errors.ts';

export async function requireTarget(db: Queryable, targetId: number): Promise<Account> {
  const target = await findAccountById(db, targetId);
  if (!target) throw notFound();
  return target;
}

/** Following, blocking or muting oneself is refused with a 422. */
export function refuseSelf(actorId: number, targetId: number, verb: string): void {
  if (actorId === targetId) throw unprocessable(`You cannot ${verb} yourself`);
}

export async function relationshipWith(db: Queryable, viewerId: number, targetId: number): Promise<RelationshipFlags> {
  return (await findRelationships(db, viewerId, [targetId])).get(targetId)!;
}
