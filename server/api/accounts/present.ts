// Service results → Mastodon account entities, for the routes in this folder.
import type { Config } from '../../../config/load.ts';
import type { Account } from '../../db/accounts.repo.ts';
import type { User } from '../../db/users.repo.ts';
import type { ProfileView } from '../../services/accounts/profile-read.service.ts';
import type { PostingDefaults } from '../../services/accounts/profile-preferences.ts';
import { serializeAccount, serializeCredentialAccount, type MastodonAccount, type MastodonCredentialAccount } from '../entities/account.ts';

export function presentAccount(config: Pick<Config, 'publicUrl'>, view: ProfileView): MastodonAccount {
  const entity = serializeAccount(config, view.account, view.role ? { role: view.role } : null);
  if (view.movedTo) entity.moved = serializeAccount(config, view.movedTo);
  return entity;
}

export function presentCredentialAccount(
  config: Pick<Config, 'publicUrl'>,
  account: Account,
  user: User,
  extras: { defaults: PostingDefaults; followRequestsCount: number },
): MastodonCredentialAccount {
  return serializeCredentialAccount(config, account, user, extras);
}
