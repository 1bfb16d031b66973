// Mastodon's Account and CredentialAccount entities
// (https://docs.joinmastodon.org/entities/Account/), mapped from our rows.
// Pure: everything a serializer needs is passed in, nothing is queried.
import type { Account } from '../../db/accounts.repo.ts';
import type { User } from '../../db/users.repo.ts';
import type { PostingDefaults, PostingVisibility } from '../../services/accounts/profile-preferences.ts';
import { publicRole, userRole, type MastodonRole, type MastodonRoleBadge } from './role.ts';

export interface MastodonField {
  name: string;
  value: string;
  /** When a rel="me" link in `value` was verified; we do not verify yet. */
  verified_at: string | null;
}

export interface MastodonAccount {
  id: string;
  username: string;
  acct: string;
  url: string;
  uri: string;
  display_name: string;
  note: string;
  avatar: string;
  avatar_static: string;
  header: string;
  header_static: string;
  locked: boolean;
  fields: MastodonField[];
  emojis: never[];
  bot: boolean;
  group: boolean;
  discoverable: boolean | null;
  indexable: boolean;
  noindex: boolean | null;
  hide_collections: boolean | null;
  moved?: MastodonAccount | null;
  suspended?: boolean;
  limited?: boolean;
  memorial?: boolean | null;
  created_at: string;
  /** A date (YYYY-MM-DD), as Mastodon gives it, or null. */
  last_status_at: string | null;
  statuses_count: number;
  followers_count: number;
  following_count: number;
  roles: MastodonRoleBadge[];
}

export interface MastodonSource {
  privacy: PostingVisibility;
  sensitive: boolean;
  language: string | null;
  note: string;
  fields: MastodonField[];
  follow_requests_count: number;
  hide_collections: boolean;
  discoverable: boolean;
  indexable: boolean;
  attribution_domains: string[];
  quote_policy: 'public' | 'followers' | 'nobody';
  /** Viewfinder: uploaded photos keep camera make, model and exposure (never the location). */
  keep_camera_info: boolean;
}

export interface MastodonCredentialAccount extends MastodonAccount {
  source: MastodonSource;
  role: MastodonRole;
}

/** What the serializers need to know about this instance. */
export interface SerializeContext {
  publicUrl: string;
}

/** Where a stored media key is served (media/http/media.routes.ts). */
export function mediaUrl(ctx: SerializeContext, key: string): string {
  return `${ctx.publicUrl}/media/${key}`;
}

/** Shown for accounts without an avatar or header: Mastodon apps expect a URL always. */
export function defaultAvatarUrl(ctx: SerializeContext): string {
  return `${ctx.publicUrl}/media/default/avatar.png`;
}
export function defaultHeaderUrl(ctx: SerializeContext): string {
  return `${ctx.publicUrl}/media/default/header.png`;
}

export function acctOf(account: Pick<Account, 'username' | 'domain'>): string {
  return account.domain === null ? account.username : `${account.username}@${account.domain}`;
}

/** The profile page: ours for local accounts, the remote server's for remote ones. */
export function profileUrl(ctx: SerializeContext, account: Pick<Account, 'username' | 'domain' | 'url' | 'uri'>): string {
  if (account.domain === null) return `${ctx.publicUrl}/@${account.username}`;
  return account.url ?? account.uri ?? `https://${account.domain}/@${account.username}`;
}

/** The ActivityPub actor id. */
export function actorUri(ctx: SerializeContext, account: Pick<Account, 'username' | 'domain' | 'uri'>): string {
  if (account.domain === null) return `${ctx.publicUrl}/users/${account.username}`;
  return account.uri ?? '';
}

/**
 * The `fields` column: [{name, value, value_html?, verified_at}]. `value` is
 * what the owner typed; `value_html` what others are shown (our accounts);
 * remote accounts store their already-sanitized HTML in `value`.
 */
export function parseFields(json: string, as: 'html' | 'source'): MastodonField[] {
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((field): field is Record<string, unknown> => typeof field === 'object' && field !== null)
      .map((field) => ({
        name: String(field.name ?? ''),
        value: String((as === 'html' ? (field.value_html ?? field.value) : field.value) ?? ''),
        verified_at: typeof field.verified_at === 'string' ? field.verified_at : null,
      }));
  } catch {
    // A corrupted column must not break every page that shows this account.
    return [];
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
// Mastodon rounds creation to the day (privacy) and gives the last post as a date only.
const isoDay = (ms: number) => `${new Date(ms).toISOString().slice(0, 10)}T00:00:00.000Z`;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * An account as anyone sees it. `user` (the login of a local account) adds
 * role badges; a suspended account is given Mastodon's blanked-out shape.
 */
export function serializeAccount(ctx: SerializeContext, account: Account, user?: Pick<User, 'role'> | null): MastodonAccount {
  const suspended = account.suspendedAt !== null;
  const avatar = account.avatarPath ? mediaUrl(ctx, account.avatarPath) : (account.avatarRemoteUrl ?? defaultAvatarUrl(ctx));
  const header = account.headerPath ? mediaUrl(ctx, account.headerPath) : (account.headerRemoteUrl ?? defaultHeaderUrl(ctx));
  const entity: MastodonAccount = {
    id: String(account.id),
    username: account.username,
    acct: acctOf(account),
    url: profileUrl(ctx, account),
    uri: actorUri(ctx, account),
    display_name: suspended ? '' : account.displayName,
    note: suspended ? '' : account.noteHtml,
    avatar: suspended ? defaultAvatarUrl(ctx) : avatar,
    avatar_static: suspended ? defaultAvatarUrl(ctx) : avatar,
    header: suspended ? defaultHeaderUrl(ctx) : header,
    header_static: suspended ? defaultHeaderUrl(ctx) : header,
    locked: account.locked,
    fields: suspended ? [] : parseFields(account.fields, 'html'),
    emojis: [],
    bot: account.bot,
    group: account.actorType === 'Group',
    discoverable: account.discoverable,
    indexable: account.discoverable,
    noindex: account.domain === null ? !account.discoverable : null,
    hide_collections: account.hideCollections,
    created_at: isoDay(account.createdAt),
    last_status_at: account.lastPostAt === null ? null : date(account.lastPostAt),
    statuses_count: suspended ? 0 : account.postsCount,
    followers_count: suspended ? 0 : account.followersCount,
    following_count: suspended ? 0 : account.followingCount,
    roles: user && !suspended ? publicRole(user.role) : [],
  };
  if (suspended) entity.suspended = true;
  if (account.silencedAt !== null) entity.limited = true;
  return entity;
}

/** The signed-in user's own account, with `source` (plain-text originals and posting defaults) and `role`. */
export function serializeCredentialAccount(
  ctx: SerializeContext,
  account: Account,
  user: Pick<User, 'role' | 'createdAt' | 'updatedAt'>,
  extra: { defaults: PostingDefaults; followRequestsCount: number },
): MastodonCredentialAccount {
  const fields = parseFields(account.fields, 'source');
  return {
    ...serializeAccount(ctx, account, user),
    source: {
      privacy: extra.defaults.privacy,
      sensitive: extra.defaults.sensitive,
      language: extra.defaults.language,
      note: account.note,
      fields,
      follow_requests_count: extra.followRequestsCount,
      hide_collections: account.hideCollections,
      discoverable: account.discoverable,
      indexable: account.discoverable,
      attribution_domains: [],
      quote_policy: 'public',
      keep_camera_info: extra.defaults.keepCameraInfo,
    },
    role: userRole(user),
  };
}

export { iso as isoTime };
