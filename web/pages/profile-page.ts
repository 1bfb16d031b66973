// The public profile of a local account: name, handle, avatar, bio, counts
// and the grid of what anyone may see, with link-preview tags.
import type { MastodonAccount } from '../../server/api/entities/account.ts';
import { PROFILE_IMAGE_SIZES } from '../../media/images/profile-images.ts';
import { html, raw } from '../html.ts';
import { page } from '../layout.ts';
import type { ProfilePage } from '../public/public-read.ts';
import { count, htmlToText, truncate } from '../public/text.ts';
import { olderLink, postGrid } from './post-grid.ts';
import { socialMeta } from './social-meta.ts';

/** The name people chose, or their username when they chose none. */
export function nameOf(account: Pick<MastodonAccount, 'display_name' | 'username'>): string {
  return account.display_name.trim() || account.username;
}

export function profilePage(view: ProfilePage & { siteName: string; path: string; firstPage: boolean }): string {
  const { account, handle } = view;
  const name = nameOf(account);
  const bio = htmlToText(account.note);
  const counts = `${count(account.statuses_count, 'post', 'posts')}, ${count(account.followers_count, 'follower', 'followers')}, ${account.following_count.toLocaleString('en')} following`;
  const head = socialMeta({
    type: 'profile',
    title: `${name} (@${handle})`,
    description: truncate(bio ? `${counts}. ${bio}` : counts, 300),
    url: account.url,
    siteName: view.siteName,
    image: { url: account.avatar, ...PROFILE_IMAGE_SIZES.avatar, alt: name },
    largeImage: false,
    activityPubId: account.uri,
    username: handle,
    noindex: account.noindex === true,
  });
  const body = html`<section class="profile">
<img class="avatar" src="${account.avatar}" alt="${name}" width="120" height="120">
<div>
<h1>${name}</h1>
<p class="handle">@${handle}</p>
<ul class="counts">
<li><strong>${account.statuses_count.toLocaleString('en')}</strong> ${account.statuses_count === 1 ? 'post' : 'posts'}</li>
<li><strong>${account.followers_count.toLocaleString('en')}</strong> ${account.followers_count === 1 ? 'follower' : 'followers'}</li>
<li><strong>${account.following_count.toLocaleString('en')}</strong> following</li>
</ul>
${account.note ? html`<div class="bio">${raw(account.note)}</div>` : null}
</div>
</section>
${postGrid(view.statuses, view.firstPage ? 'No posts yet.' : 'No older posts.')}
${olderLink(view.path, view.olderMaxId)}`;
  return page({ title: `${name} (@${handle})`, head, mainClass: 'public', showTitle: false }, body);
}
