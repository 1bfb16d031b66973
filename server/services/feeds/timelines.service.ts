// Reading timelines: home (the account's feed inbox), public and hashtag
// timelines. The SQL gives a page of post rows; visiblePostViews then applies
// the visibility policy for this viewer and hydrates the page in a fixed
// number of queries. The rows come back too: the Link header pages by them, so
// a page the policy thinned out still leads to the next one.
import type { AudienceFacts } from '../../db/audience.repo.ts';
import { findHashtagsByNames } from '../../db/followed-tags.repo.ts';
import type { Queryable } from '../../db/knex.ts';
import type { IdPage, Post } from '../../db/posts.repo.ts';
import { listHomeFeedEntries, listPublicPosts, listTagPosts, type HomeFeedEntry, type PublicFilter } from '../../db/timelines.repo.ts';
import { visiblePostViews, type PostView } from '../posts/post-views.ts';
import { getPostViews } from '../posts/read-posts.service.ts';
import { normalizeHashtag } from '../text/plain-to-html.ts';
import { canSeePost, type ViewerId } from '../visibility/post-visibility.ts';

export interface TimelinePage {
  views: PostView[];
  /** The rows read, before the policy ran: what pagination goes by. */
  rows: Post[];
}

async function page(db: Queryable, viewer: ViewerId, rows: Post[]): Promise<TimelinePage> {
  return { views: await visiblePostViews(db, viewer, rows), rows };
}

export interface HomeEntriesPage {
  /** The entries the viewer may see: the policy (canSeePost) applied to each with the facts read with it. */
  entries: HomeFeedEntry[];
  /** Every row read, for the Link header. */
  rows: { id: number }[];
}

/**
 * The home page as entries for a presenter that renders from cache
 * (api/timelines/home-presenter.ts): one statement reads the page with the
 * viewer's ties and state, and the policy's rule runs on each row here.
 * Entries it cannot render from cache go through visiblePostViews, which
 * applies the policy again.
 */
export async function readHomeEntries(db: Queryable, accountId: number, idPage: IdPage): Promise<HomeEntriesPage> {
  const rows = await listHomeFeedEntries(db, accountId, idPage);
  // The page's ties as the policy's AudienceFacts: one set each for the page, not per row.
  const facts: AudienceFacts = { following: new Set(), blocked: new Set(), mentioned: new Set() };
  for (const entry of rows) {
    if (entry.facts.following) facts.following.add(entry.post.accountId);
    if (entry.facts.blocked) facts.blocked.add(entry.post.accountId);
    if (entry.facts.mentioned) facts.mentioned.add(entry.post.id);
  }
  const entries = rows.filter((entry) => canSeePost(accountId, entry.post, entry.author, facts));
  return { entries, rows: rows.map((entry) => ({ id: entry.post.id })) };
}

/** Hydrated views of these posts that the viewer may see (the policy applied), in order: for what a cache could not render. */
export function postViewsFor(db: Queryable, viewer: ViewerId, postIds: number[]): Promise<PostView[]> {
  return getPostViews(db, viewer, postIds);
}

export async function readPublicTimeline(db: Queryable, viewer: ViewerId, filter: PublicFilter, idPage: IdPage): Promise<TimelinePage> {
  return page(db, viewer, await listPublicPosts(db, filter, idPage));
}

export interface TagTimelineQuery extends PublicFilter {
  tag: string;
  any?: string[];
  all?: string[];
  none?: string[];
}

const normalize = (names: string[] = []) => names.map((name) => normalizeHashtag(name.replace(/^#/, '').trim())).filter((name) => name !== '');

/** Public posts with the tag (or any of `any`), with every one of `all` and none of `none`. */
export async function readTagTimeline(db: Queryable, viewer: ViewerId, query: TagTimelineQuery, idPage: IdPage): Promise<TimelinePage> {
  const anyNames = [...new Set(normalize([query.tag, ...(query.any ?? [])]))];
  const allNames = normalize(query.all);
  const noneNames = normalize(query.none);
  const tags = new Map((await findHashtagsByNames(db, [...anyNames, ...allNames, ...noneNames])).map((tag) => [tag.name, tag.id]));
  const ids = (names: string[]) => names.map((name) => tags.get(name)).filter((id): id is number => id !== undefined);
  // A tag in all[] that nobody used: nothing can match.
  if (allNames.some((name) => !tags.has(name))) return { views: [], rows: [] };
  const rows = await listTagPosts(db, { ...query, anyIds: ids(anyNames), allIds: ids(allNames), noneIds: ids(noneNames) }, idPage);
  return page(db, viewer, rows);
}
