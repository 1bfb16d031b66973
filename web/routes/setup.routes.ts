// /auth/setup?token=…: the first-run page that creates the admin account.
import type { Router } from '@koa/router';
import type { ApiDeps } from '../../server/http/deps.ts';
import { verifyCsrf } from '../../server/http/csrf.ts';
import { rateLimit } from '../../server/http/rate-limit.ts';
import { startSession } from '../../server/http/session.ts';
import { isAppError } from '../../server/errors.ts';
import { completeSetup, isSetupTokenValid } from '../../server/services/accounts/setup-token.ts';
import { setupPage } from '../pages/auth.ts';
import { messagePage } from '../pages/message.ts';
import { formValue, queryValue, redirectTo, sendPage, webState } from './common.ts';

const INVALID = 'This setup link is invalid or has been used. The server prints a new one in its log at start while no account exists.';

export function registerSetupRoutes(router: Router, deps: ApiDeps): void {
  const { db } = deps;

  router.get('/auth/setup', async (ctx) => {
    const token = queryValue(ctx, 'token');
    if (!token || !(await isSetupTokenValid(db, token))) return sendPage(ctx, messagePage('Set up Viewfinder', INVALID, { error: true }), 403);
    sendPage(ctx, setupPage({ csrfToken: webState(ctx).csrfToken!, token, values: {} }));
  });

  // Guessing the token is hopeless (192 bits), but the sign-in budget keeps it that way.
  router.post('/auth/setup', rateLimit(deps, { bucket: 'setup', budget: 'signIn' }), verifyCsrf(), async (ctx) => {
    const token = formValue(ctx, 'token');
    const values = { username: formValue(ctx, 'username'), email: formValue(ctx, 'email') };
    try {
      const { account, user } = await completeSetup(db, token, { ...values, password: formValue(ctx, 'password') });
      await startSession(ctx, deps, user, account);
      redirectTo(ctx, '/settings/account');
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      if (error.status === 403) return sendPage(ctx, messagePage('Set up Viewfinder', INVALID, { error: true }), 403);
      sendPage(ctx, setupPage({ csrfToken: webState(ctx).csrfToken!, token, values, error: error.publicMessage }), error.status);
    }
  });
}
