// Mastodon's Role entity (https://docs.joinmastodon.org/entities/Role/) for
// our three fixed roles. Permissions use Mastodon's bit flags so apps that
// show moderation tools (e.g. Ivory) decide the same way they do on Mastodon.
import type { User, UserRole } from '../../db/users.repo.ts';

export interface MastodonRole {
  id: string;
  name: string;
  color: string;
  /** Bitmask of permissions, as a string. */
  permissions: string;
  highlighted: boolean;
}

/** The badge an Account shows: highlighted roles only. */
export type MastodonRoleBadge = Pick<MastodonRole, 'id' | 'name' | 'color'>;

const ADMINISTRATOR = 1 << 0;
const VIEW_AUDIT_LOG = 1 << 2;
const VIEW_DASHBOARD = 1 << 3;
const MANAGE_REPORTS = 1 << 4;
const MANAGE_TAXONOMIES = 1 << 8;
const MANAGE_APPEALS = 1 << 9;
const MANAGE_USERS = 1 << 10;
const INVITE_USERS = 1 << 16;

// Mastodon's built-in "everyone" role has id -99; we keep that for plain users.
const roles: Record<UserRole, MastodonRole> = {
  user: { id: '-99', name: '', color: '', permissions: String(INVITE_USERS), highlighted: false },
  moderator: {
    id: '1',
    name: 'Moderator',
    color: '',
    permissions: String(INVITE_USERS | VIEW_AUDIT_LOG | VIEW_DASHBOARD | MANAGE_REPORTS | MANAGE_TAXONOMIES | MANAGE_APPEALS | MANAGE_USERS),
    highlighted: true,
  },
  admin: { id: '2', name: 'Admin', color: '', permissions: String(ADMINISTRATOR | INVITE_USERS), highlighted: true },
};

export function userRole(user: Pick<User, 'role'>): MastodonRole {
  return { ...(roles[user.role] ?? roles.user) };
}

export function publicRole(role: UserRole): MastodonRoleBadge[] {
  const found = roles[role];
  return found?.highlighted ? [{ id: found.id, name: found.name, color: found.color }] : [];
}
