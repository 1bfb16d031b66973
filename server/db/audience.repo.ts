// SQL for the facts the visibility policy (server/services/visibility) needs
// about a viewer and a set of posts: whom the viewer follows, who blocks whom,
// and which posts mention the viewer. A fixed number of queries per batch.
import type { Queryable } from './knex.ts';

export interface AudienceFacts {
  /** Authors the viewer follows (an accepted follow). */
  following: Set<number>;
  /** Authors the viewer blocks or who block the viewer. */
  blocked: Set<number>;
  /** Posts that mention the viewer. */
  mentioned: Set<number>;
}

type Row = Record<string, unknown>;

export async function findAudienceFacts(db: Queryable, viewerId: number, authorIds: number[], postIds: number[]): Promise<AudienceFacts> {
  const authors = [...new Set(authorIds)].filter((id) => id !== viewerId);
  const queries: (() => Promise<Row[]>)[] = [
    async () => (authors.length ? db('follows').where('account_id', viewerId).whereIn('target_account_id', authors).select('target_account_id') : []),
    async () => (authors.length ? db('blocks').where('account_id', viewerId).whereIn('target_account_id', authors).select('target_account_id') : []),
    async () => (authors.length ? db('blocks').whereIn('account_id', authors).where('target_account_id', viewerId).select('account_id') : []),
    async () => (postIds.length ? db('mentions').where('account_id', viewerId).whereIn('post_id', postIds).select('post_id') : []),
  ];
  // A transaction is one connection: its queries go one after another (pg refuses overlapping ones).
  const [follows, blocks, blockedBy, mentions] = db.isTransaction ? await sequential(queries) : await Promise.all(queries.map((query) => query()));
  return {
    following: new Set(follows.map((row) => Number(row.target_account_id))),
    blocked: new Set([...blocks.map((row) => Number(row.target_account_id)), ...blockedBy.map((row) => Number(row.account_id))]),
    mentioned: new Set(mentions.map((row) => Number(row.post_id))),
  };
}

async function sequential<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (const task of tasks) results.push(await task());
  return results;
}

/** The one-author case of the above: does the viewer follow them, is there a block either way. */
export async function findAuthorRelation(db: Queryable, viewerId: number, authorId: number): Promise<{ following: boolean; blocked: boolean }> {
  const facts = await findAudienceFacts(db, viewerId, [authorId], []);
  return { following: facts.following.has(authorId), blocked: facts.blocked.has(authorId) };
}

/** A remote server's ties to one post: whether any account of `domain` follows its author, or is mentioned in it. */
export async function findServerAudience(db: Queryable, domain: string, authorId: number, postId: number): Promise<{ follower: boolean; mentioned: boolean }> {
  const ofDomain = (table: string, column: string) => db(table).join('accounts', 'accounts.id', `${table}.${column}`).whereRaw('lower(accounts.domain) = ?', [domain.toLowerCase()]);
  const follower = await ofDomain('follows', 'account_id').where('follows.target_account_id', authorId).first('follows.id');
  const mentioned = await ofDomain('mentions', 'account_id').where('mentions.post_id', postId).first('mentions.post_id');
  return { follower: follower !== undefined, mentioned: mentioned !== undefined };
}
