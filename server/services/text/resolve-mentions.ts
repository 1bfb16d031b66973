// @mentions in typed text → the accounts we know (local, or remote ones already
// fetched), for linking them in HTML and, in captions, addressing the post.
import type { Config } from '../../../config/load.ts';
import { findAccountByUsername, findLocalAccountsByUsernames, type Account } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { extractMentions, mentionKey, type MentionTarget } from './plain-to-html.ts';

// A paste of a hundred @names must not mean a hundred queries.
const MAX_REMOTE_LOOKUPS = 10;

export interface ResolvedMentions {
  /** By mentionKey, for plainTextToHtml. */
  targets: Map<string, MentionTarget>;
  /** The accounts, in the order first mentioned. */
  accounts: Account[];
}

export async function resolveMentions(db: Queryable, config: Pick<Config, 'publicUrl' | 'domain'>, text: string): Promise<ResolvedMentions> {
  const names = extractMentions(text, config.domain);
  const byKey = new Map<string, Account>();
  const local = await findLocalAccountsByUsernames(
    db,
    names.filter((name) => name.domain === null).map((name) => name.username),
  );
  for (const account of local) byKey.set(mentionKey(account.username, null), account);
  for (const name of names.filter((n) => n.domain !== null).slice(0, MAX_REMOTE_LOOKUPS)) {
    const account = await findAccountByUsername(db, name.username, name.domain);
    if (account) byKey.set(mentionKey(name.username, name.domain), account);
  }
  const targets = new Map<string, MentionTarget>();
  const accounts: Account[] = [];
  for (const name of names) {
    const key = mentionKey(name.username, name.domain);
    const account = byKey.get(key);
    if (!account) continue;
    const url = account.domain === null ? `${config.publicUrl}/@${account.username}` : (account.url ?? account.uri ?? `https://${account.domain}/@${account.username}`);
    targets.set(key, { url, username: account.username });
    if (!accounts.some((a) => a.id === account.id)) accounts.push(account);
  }
  return { targets, accounts };
}
