// /auth/sign_in (password, then the second factor when enabled), /auth/sign_out,
// /auth/sign_up and /auth/confirmation.
import type { Router } from '@koa/router';
import type Koa from 'koa';
import type { ApiDeps } from '../../server/http/deps.ts';
import { verifyCsrf } from '../../server/http/csrf.ts';
import { rateLimit } from '../../server/http/rate-limit.ts';
import { setCookie, startSession, stopSession } from '../../server/http/session.ts';
import { isAppError } from '../../server/errors.ts';
import { checkCredentials, signSecondFactorTicket, userForSecondFactorTicket } from '../../server/services/accounts/sessions-sign-in.service.ts';
import { verifySecondFactor } from '../../server/services/accounts/two-factor.service.ts';
import { registerAccount, registrationMode } from '../../server/services/accounts/registration.service.ts';
import { confirmEmail } from '../../server/services/accounts/registration-mail.ts';
import { confirmEmailChange } from '../../server/services/accounts/account-settings.service.ts';
import { secondFactorPage, signInPage, signUpPage } from '../pages/auth.ts';
import { messagePage } from '../pages/message.ts';
import { DEFAULT_AFTER_SIGN_IN, formValue, queryValue, redirectTo, safeReturnTo, sendPage, webState } from './common.ts';

/** Carries the user from the password step to the code step (signed, 5 minutes). */
export const SECOND_FACTOR_COOKIE = '_viewfinder_2fa';

export function registerAuthRoutes(router: Router, deps: ApiDeps): void {
  const { config, db } = deps;
  const signInLimit = rateLimit(deps, { bucket: 'sign-in', budget: 'signIn' });
  const signUpLimit = rateLimit(deps, { bucket: 'sign-up', budget: 'signUp' });

  const showSignIn = async (ctx: Koa.Context, view: { returnTo: string | null; login?: string; error?: string | null; notice?: string | null }, status = 200) => {
    const mode = await registrationMode(db, config);
    sendPage(ctx, signInPage({ csrfToken: webState(ctx).csrfToken!, canSignUp: mode !== 'closed', ...view }), status);
  };

  router.get('/auth/sign_in', async (ctx) => {
    const returnTo = safeReturnTo(config, queryValue(ctx, 'return_to'), `${ctx.protocol}://${ctx.host}`);
    if (webState(ctx).sessionUser) return ctx.redirect(returnTo ?? DEFAULT_AFTER_SIGN_IN);
    await showSignIn(ctx, { returnTo });
  });

  router.post('/auth/sign_in', signInLimit, verifyCsrf(), async (ctx) => {
    const returnTo = safeReturnTo(config, formValue(ctx, 'return_to'), `${ctx.protocol}://${ctx.host}`);
    const body = ctx.request.body as Record<string, unknown> | undefined;

    if (body && 'otp_attempt' in body) {
      const found = await userForSecondFactorTicket(db, config, ctx.cookies.get(SECOND_FACTOR_COOKIE) ?? '');
      if (!found) return showSignIn(ctx, { returnTo, error: 'Your sign-in has expired. Please enter your password again.' }, 401);
      if (!(await verifySecondFactor(db, config, found.user.id, formValue(ctx, 'otp_attempt')))) {
        return sendPage(ctx, secondFactorPage({ csrfToken: webState(ctx).csrfToken!, returnTo, error: 'That code is not valid.' }), 401);
      }
      setCookie(ctx, config, SECOND_FACTOR_COOKIE, '', { maxAgeMs: 0 });
      await startSession(ctx, deps, found.user, found.account);
      return redirectTo(ctx, returnTo ?? DEFAULT_AFTER_SIGN_IN);
    }

    const login = formValue(ctx, 'login');
    const check = await checkCredentials(db, login, formValue(ctx, 'password'));
    if (!check.ok) return showSignIn(ctx, { returnTo, login, error: check.message }, check.status);
    if (check.needsSecondFactor) {
      setCookie(ctx, config, SECOND_FACTOR_COOKIE, signSecondFactorTicket(config, check.user), { maxAgeMs: 5 * 60 * 1000 });
      return sendPage(ctx, secondFactorPage({ csrfToken: webState(ctx).csrfToken!, returnTo }));
    }
    await startSession(ctx, deps, check.user, check.account);
    redirectTo(ctx, returnTo ?? DEFAULT_AFTER_SIGN_IN);
  });

  router.post('/auth/sign_out', verifyCsrf(), async (ctx) => {
    await stopSession(ctx, deps);
    redirectTo(ctx, '/auth/sign_in');
  });

  router.get('/auth/sign_up', async (ctx) => {
    const mode = await registrationMode(db, config);
    sendPage(ctx, signUpPage({ csrfToken: webState(ctx).csrfToken!, mode, requireEmail: config.requireEmail, values: { inviteCode: queryValue(ctx, 'invite_code') } }));
  });

  router.post('/auth/sign_up', signUpLimit, verifyCsrf(), async (ctx) => {
    const values = { username: formValue(ctx, 'username'), email: formValue(ctx, 'email'), reason: formValue(ctx, 'reason'), inviteCode: formValue(ctx, 'invite_code') };
    try {
      const { user, account } = await registerAccount(db, config, {
        ...values,
        password: formValue(ctx, 'password'),
        agreement: Boolean(formValue(ctx, 'agreement')),
        locale: ctx.acceptsLanguages()[0] === '*' ? undefined : (ctx.acceptsLanguages()[0] as string | undefined),
        ip: ctx.ip,
      });
      if (!user.approved) {
        const mail = user.confirmedAt === null ? ' We also sent you a mail: please follow its link to confirm your address.' : '';
        return sendPage(ctx, messagePage('Thanks for signing up', `Your account @${account.username} is pending approval by an administrator.${mail}`));
      }
      if (user.confirmedAt === null) {
        return sendPage(ctx, messagePage('Almost there', `We sent a mail to ${user.email}: follow its link to confirm your address, then sign in.`));
      }
      await startSession(ctx, deps, user, account);
      redirectTo(ctx, DEFAULT_AFTER_SIGN_IN);
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      const mode = await registrationMode(db, config);
      sendPage(ctx, signUpPage({ csrfToken: webState(ctx).csrfToken!, mode, requireEmail: config.requireEmail, values, error: error.publicMessage }), error.status);
    }
  });

  // The link from a confirmation mail (a new account, or a changed address).
  router.get('/auth/confirmation', async (ctx) => {
    const token = queryValue(ctx, 'token');
    const email = queryValue(ctx, 'email');
    if (email) await confirmEmailChange(db, config, token, email);
    else await confirmEmail(db, config, token);
    sendPage(ctx, messagePage('E-mail address confirmed', 'Thank you: your e-mail address is confirmed.', { link: { href: '/auth/sign_in', text: 'Sign in' } }));
  });
}
