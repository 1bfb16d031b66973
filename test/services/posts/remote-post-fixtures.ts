// What the remote-post tests share: a database and config per test, local
// users (with logins, so they can post through createPost), remote actors as
// the federation layer stores them, and Notes as post-from-note.ts parses them.
import type { ExecutionContext } from 'ava';
import { loadConfig, type Config } from '../../../config/load.ts';
import { insertAccount, type Account } from '../../../server/db/accounts.repo.ts';
import { newId } from '../../../server/db/ids.ts';
import type { Db } from '../../../server/db/knex.ts';
import { insertLocalAccountAndUser, type User } from '../../../server/db/users.repo.ts';
import type { IncomingNote } from '../../../server/services/posts/remote-post.service.ts';
import type { DatabaseTarget } from '../../helpers/databases.ts';

export async function setup(t: ExecutionContext, target: DatabaseTarget): Promise<{ db: Db; config: Config }> {
  const { db, dataDir, url } = await target.create(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, DATABASE_URL: url }, cwd: dataDir, persistSecret: false });
  return { db, config };
}

export async function localUser(db: Db, username: string): Promise<{ account: Account; user: User }> {
  return db.transaction((trx) => insertLocalAccountAndUser(trx, username, { email: `${username}@example.com`, passwordHash: 'x', role: 'user', approved: true, confirmedAt: Date.now() }));
}

export async function remoteActor(db: Db, username: string, domain = 'remote.example'): Promise<Account> {
  const now = Date.now();
  return insertAccount(db, {
    id: newId(),
    username,
    domain,
    uri: `https://${domain}/users/${username}`,
    url: `https://${domain}/@${username}`,
    inboxUrl: `https://${domain}/users/${username}/inbox`,
    createdAt: now,
    updatedAt: now,
  });
}

let serial = 0;

/** A public text Note by `author`, published a minute ago, with `overrides`. */
export function note(author: Account, overrides: Partial<IncomingNote> = {}): IncomingNote {
  serial += 1;
  const id = `${Date.now()}${serial}`;
  return {
    uri: `${author.uri}/statuses/${id}`,
    url: `https://${author.domain}/@${author.username}/${id}`,
    authorUri: author.uri!,
    contentHtml: '<p>Hello from afar</p>',
    summary: '',
    sensitive: false,
    language: 'en',
    published: Date.now() - 60_000,
    updated: null,
    inReplyToUri: null,
    visibility: 'public',
    recipientUris: ['https://www.w3.org/ns/activitystreams#Public'],
    mentionUris: [],
    hashtags: [],
    attachments: [],
    location: null,
    commentsEnabled: true,
    ...overrides,
  };
}

export function image(url: string, name: string | null = null): IncomingNote['attachments'][number] {
  return { url, mediaType: 'image/jpeg', kind: 'image', name, width: 1080, height: 1350, blurhash: null, focus: null };
}

/** Notifications an account has, as [type, from, post]. */
export async function notificationsOf(db: Db, accountId: number): Promise<[string, number, number | null][]> {
  const rows: Record<string, unknown>[] = await db('notifications').where({ account_id: accountId }).orderBy('id').select('type', 'from_account_id', 'post_id');
  return rows.map((row) => [String(row.type), Number(row.from_account_id), row.post_id === null ? null : Number(row.post_id)]);
}

export async function jobsOfType(db: Db, type: string): Promise<Record<string, unknown>[]> {
  const rows: { payload: string }[] = await db('jobs').where({ type }).orderBy('id').select('payload');
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>);
}
