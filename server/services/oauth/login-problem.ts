// Whether a local user may use the API at all, with Mastodon's wording (its
// Api::BaseController#require_user!), checked in the same order.
import type { Account } from '../../db/accounts.repo.ts';
import type { User } from '../../db/users.repo.ts';

export interface LoginProblem {
  status: 403;
  message: string;
}

export function loginProblem(user: Pick<User, 'confirmedAt' | 'approved' | 'disabledAt'>, account: Pick<Account, 'suspendedAt'> | null | undefined): LoginProblem | null {
  if (user.confirmedAt === null) return { status: 403, message: 'Your login is missing a confirmed e-mail address' };
  if (!user.approved) return { status: 403, message: 'Your login is currently pending approval' };
  if (user.disabledAt !== null || !account || account.suspendedAt !== null) return { status: 403, message: 'Your login is currently disabled' };
  return null;
}
