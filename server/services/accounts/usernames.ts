// Mastodon's rules for local usernames and a basic e-mail check. Usernames end
// up in URLs (/@alice, /users/alice) and in acct: handles on other servers, so
// the rules match Mastodon's to keep every client and server happy.
const USERNAME_PATTERN = /^[a-z0-9_]+$/i;
export const MAX_USERNAME_LENGTH = 30;

// Names that would impersonate staff or the instance, or collide with our own
// paths. Compared case-insensitively. Mastodon reserves the first eight by default.
const reserved = new Set([
  'admin', 'support', 'help', 'root', 'webmaster', 'administrator', 'mod', 'moderator',
  'about', 'abuse', 'account', 'accounts', 'actor', 'api', 'app', 'apps', 'auth', 'contact', 'explore', 'feed', 'feeds',
  'hostmaster', 'inbox', 'instance', 'login', 'logout', 'mail', 'mailer', 'media', 'nodeinfo', 'noreply', 'no_reply',
  'null', 'oauth', 'outbox', 'owner', 'postmaster', 'privacy', 'security', 'settings', 'signin', 'signup', 'sign_in', 'sign_up',
  'staff', 'static', 'stories', 'system', 'tags', 'terms', 'undefined', 'users', 'viewfinder', 'web', 'well_known', 'wellknown', 'www',
]);

export function isReservedUsername(username: string): boolean {
  return reserved.has(username.toLowerCase());
}

/** Why `username` cannot be used for a new local account, or null when it can. */
export function usernameProblem(username: string): string | null {
  if (username.length === 0) return 'Username must not be empty';
  if (username.length > MAX_USERNAME_LENGTH) return `Username must be at most ${MAX_USERNAME_LENGTH} characters`;
  if (!USERNAME_PATTERN.test(username)) return 'Username may only contain letters, numbers and underscores';
  if (isReservedUsername(username)) return `Username "${username}" is reserved`;
  return null;
}

// Deliberately loose (the confirmation mail is the real test): one @, a
// non-empty local part, a dotted domain, no spaces, within RFC 5321's length.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
export const MAX_EMAIL_LENGTH = 320;

/** Why `email` is not a usable address, or null when it is. */
export function emailProblem(email: string): string | null {
  if (email.length > MAX_EMAIL_LENGTH) return `E-mail address must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (!EMAIL_PATTERN.test(email)) return `"${email}" is not a valid e-mail address`;
  return null;
}
