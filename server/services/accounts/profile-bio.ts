// A bio as typed → the sanitized HTML stored beside it: mentions are looked up
// among accounts we know (local, or remote ones already fetched).
import type { Config } from '../../../config/load.ts';
import type { Queryable } from '../../db/knex.ts';
import { plainTextToHtml } from '../text/plain-to-html.ts';
import { resolveMentions } from '../text/resolve-mentions.ts';

export async function renderBio(db: Queryable, config: Pick<Config, 'publicUrl' | 'domain'>, text: string): Promise<string> {
  const { targets } = await resolveMentions(db, config, text);
  return plainTextToHtml(text, { publicUrl: config.publicUrl, domain: config.domain, mentions: targets });
}
