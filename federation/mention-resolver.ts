// Before a post is written, `@user@host` handles we have never seen are looked
// up over WebFinger, as Mastodon does when posting, so the mention links to the
// account and the post is delivered to it (a first DM to someone on another
// server). Bounded: a few handles, a few seconds in all; a handle that does
// not resolve in time stays plain text.
import type { Federation } from '@fedify/fedify';
import { findAccountByUsername } from '../server/db/accounts.repo.ts';
import { extractMentions } from '../server/services/text/plain-to-html.ts';
import type { FederationData } from './context.ts';
import { lookupContext, resolveHandle } from './lookup.ts';

const MAX_HANDLES = 5;
const BUDGET_MS = 5_000;

/** `budgetMs`: how long posting waits for the lookups in all (tests give a slow machine more). */
export async function resolveUnknownMentions(federation: Federation<FederationData> | undefined, data: FederationData, text: string | undefined, budgetMs = BUDGET_MS): Promise<void> {
  if (!federation || !text || !text.includes('@')) return;
  const unknown = [];
  for (const mention of extractMentions(text, data.config.domain)) {
    if (mention.domain === null) continue;
    if (!(await findAccountByUsername(data.db, mention.username, mention.domain))) unknown.push(mention);
    if (unknown.length >= MAX_HANDLES) break;
  }
  if (unknown.length === 0) return;
  const ctx = lookupContext(federation, data);
  const lookups = Promise.all(unknown.map((m) => resolveHandle(ctx, `${m.username}@${m.domain}`)));
  await Promise.race([lookups, new Promise((resolve) => setTimeout(resolve, budgetMs).unref())]);
}
