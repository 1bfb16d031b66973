// /settings/account (e-mail, password, deletion) and /settings/two_factor.
import type { Router } from '@koa/router';
import type Koa from 'koa';
import type { ApiDeps } from '../../server/http/deps.ts';
import { verifyCsrf } from '../../server/http/csrf.ts';
import { requireSession, stopSession } from '../../server/http/session.ts';
import { isAppError } from '../../server/errors.ts';
import { changeEmail, changePassword, currentUser, deleteOwnAccount } from '../../server/services/accounts/account-settings.service.ts';
import { disableTwoFactor, enableTwoFactor, newTotpSecret, totpUri } from '../../server/services/accounts/two-factor.service.ts';
import { accountSettingsPage, recoveryCodesPage, twoFactorEnabledPage, twoFactorSetupPage } from '../pages/settings.ts';
import { messagePage } from '../pages/message.ts';
import { formValue, sendPage, webState } from './common.ts';

export function registerSettingsRoutes(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;
  const signedIn = requireSession();
  const csrf = verifyCsrf();

  const who = (ctx: Koa.Context) => {
    const state = webState(ctx);
    return { user: state.sessionUser!, account: state.sessionAccount!, csrfToken: state.csrfToken!, username: state.sessionAccount!.username };
  };

  const showAccount = async (ctx: Koa.Context, messages: { notice?: string; error?: string }, status = 200) => {
    const { user, csrfToken, username } = who(ctx);
    // Reread: the handler may just have changed the row.
    const fresh = (await currentUser(db, user.id)) ?? user;
    sendPage(ctx, accountSettingsPage({ csrfToken, username, email: fresh.email, twoFactor: fresh.otpSecret !== null, ...messages }), status);
  };

  /** Runs a settings change; an AppError re-renders the page with its message. */
  const attempt = async (ctx: Koa.Context, change: () => Promise<string>) => {
    try {
      await showAccount(ctx, { notice: await change() });
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      await showAccount(ctx, { error: error.publicMessage }, error.status);
    }
  };

  router.get('/settings/account', signedIn, (ctx) => showAccount(ctx, {}));

  router.post('/settings/account/password', signedIn, csrf, (ctx) =>
    attempt(ctx, async () => {
      await changePassword(db, who(ctx).user, formValue(ctx, 'current_password'), formValue(ctx, 'password'), webState(ctx).sessionId);
      return 'Your password is changed. Your other sessions were signed out.';
    }),
  );

  router.post('/settings/account/email', signedIn, csrf, (ctx) =>
    attempt(ctx, async () => {
      const { user, account } = who(ctx);
      const { mailed } = await changeEmail(db, config, user, account, formValue(ctx, 'current_password'), formValue(ctx, 'email'));
      return mailed ? 'We sent a mail to the new address: follow its link to finish the change.' : 'Your e-mail address is changed.';
    }),
  );

  router.post('/settings/account/delete', signedIn, csrf, async (ctx) => {
    const { user, account } = who(ctx);
    try {
      await deleteOwnAccount(db, user, account, formValue(ctx, 'current_password'));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      return showAccount(ctx, { error: error.publicMessage }, error.status);
    }
    await stopSession(ctx, deps);
    sendPage(ctx, messagePage('Account deleted', `Your account @${account.username} is closed. Goodbye.`));
  });

  router.get('/settings/two_factor', signedIn, async (ctx) => {
    const { user, account, csrfToken, username } = who(ctx);
    if (user.otpSecret) return sendPage(ctx, twoFactorEnabledPage({ csrfToken, username }));
    const { secret, uri } = newTotpSecret(config, `${account.username}@${config.domain}`);
    sendPage(ctx, twoFactorSetupPage({ csrfToken, username, secret, uri }));
  });

  router.post('/settings/two_factor', signedIn, csrf, async (ctx) => {
    const { user, account, csrfToken, username } = who(ctx);
    const secret = formValue(ctx, 'secret');
    try {
      const codes = await enableTwoFactor(db, config, user, secret, formValue(ctx, 'code'));
      sendPage(ctx, recoveryCodesPage({ csrfToken, username, codes }));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      if (user.otpSecret) return sendPage(ctx, twoFactorEnabledPage({ csrfToken, username, error: error.publicMessage }), error.status);
      // Show the same secret again: the user has probably added it to their app already.
      const label = `${account.username}@${config.domain}`;
      const again = /^[A-Z2-7]{16,64}$/.test(secret) ? { secret, uri: totpUri(config, label, secret) } : newTotpSecret(config, label);
      sendPage(ctx, twoFactorSetupPage({ csrfToken, username, ...again, error: error.publicMessage }), error.status);
    }
  });

  router.post('/settings/two_factor/disable', signedIn, csrf, async (ctx) => {
    const { user, csrfToken, username } = who(ctx);
    try {
      await disableTwoFactor(db, user, formValue(ctx, 'current_password'));
      await showAccount(ctx, { notice: 'Two-factor authentication is disabled.' });
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      sendPage(ctx, twoFactorEnabledPage({ csrfToken, username, error: error.publicMessage }), error.status);
    }
  });
}
