// A caption as typed → what is stored beside it: sanitized HTML with links,
// mentions of accounts we know and hashtags; the mentioned accounts (they are
// addressed: a direct post reaches exactly them); the hashtags, normalized.
import type { Config } from '../../../config/load.ts';
import type { Account } from '../../db/accounts.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import { extractHashtags, plainTextToHtml } from '../text/plain-to-html.ts';
import { resolveMentions } from '../text/resolve-mentions.ts';

export interface RenderedCaption {
  html: string;
  mentions: Account[];
  hashtags: { name: string; displayName: string }[];
}

export async function renderCaption(db: Queryable, config: Pick<Config, 'publicUrl' | 'domain'>, text: string): Promise<RenderedCaption> {
  const { targets, accounts } = await resolveMentions(db, config, text);
  return {
    html: plainTextToHtml(text, { publicUrl: config.publicUrl, domain: config.domain, mentions: targets }),
    mentions: accounts,
    hashtags: extractHashtags(text),
  };
}
