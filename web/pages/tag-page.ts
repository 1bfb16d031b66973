// The page a hashtag link leads to: the public posts with that tag, as a grid.
import { html } from '../html.ts';
import { page } from '../layout.ts';
import type { TagPage } from '../public/public-read.ts';
import { olderLink, postGrid } from './post-grid.ts';
import { socialMeta } from './social-meta.ts';

export function tagPage(view: TagPage & { name: string; url: string; path: string; siteName: string; firstPage: boolean }): string {
  const title = `#${view.name}`;
  const head = socialMeta({
    type: 'website',
    title,
    description: `Public posts tagged #${view.name} on ${view.siteName}`,
    url: view.url,
    siteName: view.siteName,
    image: null,
    largeImage: false,
    activityPubId: null,
  });
  const body = html`${postGrid(view.statuses, view.firstPage ? 'No public posts with this tag yet.' : 'No older posts.')}
${olderLink(view.path, view.olderMaxId)}`;
  return page({ title, head, mainClass: 'public' }, body);
}
