// Password reset by mail: /auth/password/new (ask) → mail → /auth/password/edit?token= (choose).
import type { Router } from '@koa/router';
import type { ApiDeps } from '../../server/http/deps.ts';
import { verifyCsrf } from '../../server/http/csrf.ts';
import { rateLimit } from '../../server/http/rate-limit.ts';
import { isAppError } from '../../server/errors.ts';
import { isResetTokenValid, requestPasswordReset, resetPasswordWithToken } from '../../server/services/accounts/account-settings-password-reset.ts';
import { passwordEditPage, passwordNewPage } from '../pages/password.ts';
import { messagePage } from '../pages/message.ts';
import { formValue, queryValue, sendPage, webState } from './common.ts';

const BAD_LINK = 'This reset link is invalid, has expired or was used already.';

export function registerPasswordRoutes(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;
  const canMail = config.smtp !== null;

  router.get('/auth/password/new', (ctx) => {
    sendPage(ctx, passwordNewPage({ csrfToken: webState(ctx).csrfToken!, canMail }));
  });

  router.post('/auth/password', rateLimit(deps, { bucket: 'password-reset', budget: 'signIn' }), verifyCsrf(), async (ctx) => {
    if (!canMail) return sendPage(ctx, passwordNewPage({ csrfToken: webState(ctx).csrfToken!, canMail }), 422);
    await requestPasswordReset(db, config, formValue(ctx, 'email'));
    // The same answer whether or not the address is known: no probing for accounts.
    sendPage(ctx, passwordNewPage({ csrfToken: webState(ctx).csrfToken!, canMail, notice: 'If an account uses that address, a mail with a reset link is on its way.' }));
  });

  router.get('/auth/password/edit', async (ctx) => {
    const token = queryValue(ctx, 'token');
    if (!(await isResetTokenValid(db, config, token))) return sendPage(ctx, messagePage('Reset password', BAD_LINK, { error: true }), 422);
    sendPage(ctx, passwordEditPage({ csrfToken: webState(ctx).csrfToken!, token }));
  });

  router.post('/auth/password/edit', rateLimit(deps, { bucket: 'password-reset', budget: 'signIn' }), verifyCsrf(), async (ctx) => {
    const token = formValue(ctx, 'token');
    try {
      await resetPasswordWithToken(db, config, token, formValue(ctx, 'password'));
      sendPage(ctx, messagePage('Password changed', 'Your password is changed; you were signed out everywhere.', { link: { href: '/auth/sign_in', text: 'Sign in' } }));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      sendPage(ctx, passwordEditPage({ csrfToken: webState(ctx).csrfToken!, token, error: error.publicMessage }), error.status);
    }
  });
}
