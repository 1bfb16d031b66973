// A bio as typed → the sanitized HTML stored beside it: mentions are looked up
// among accounts we know (local, or remote ones already fetched).
import type { Config } from '../../../config/load.ts';
import { findAccountByUsername, findLocalAccountsByUsernames } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { extractMentions, mentionKey, plainTextToHtml, type MentionTarget } from '../text/plain-to-html.ts';

// A bio is short, but a paste of a hundred @names must not mean a hundred queries.
const MAX_REMOTE_LOOKUPS = 10;

export async function renderBio(db: Queryable, config: Pick<Config, 'publicUrl' | 'domain'>, text: string): Promise<string> {
  const names = extractMentions(text, config.domain);
  const mentions = new Map<string, MentionTarget>();
  const local = await findLocalAccountsByUsernames(
    db,
    names.filter((name) => name.domain === null).map((name) => name.username),
  );
  for (const account of local) {
    mentions.set(mentionKey(account.username, null), { url: `${config.publicUrl}/@${account.username}`, username: account.username });
  }
  for (const name of names.filter((n) => n.domain !== null).slice(0, MAX_REMOTE_LOOKUPS)) {
    const account = await findAccountByUsername(db, name.username, name.domain);
    if (account) {
      mentions.set(mentionKey(name.username, name.domain), {
        url: account.url ?? account.uri ?? `https://${account.domain}/@${account.username}`,
        username: account.username,
      });
    }
  }
  return plainTextToHtml(text, { publicUrl: config.publicUrl, domain: config.domain, mentions });
}
