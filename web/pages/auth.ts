// Sign-in (both steps), sign-up and first-run setup pages.
import { html } from '../html.ts';
import { csrfField, field, page } from '../layout.ts';

export interface SignInView {
  csrfToken: string;
  returnTo: string | null;
  login?: string;
  error?: string | null;
  notice?: string | null;
  canSignUp: boolean;
}

export function signInPage(view: SignInView): string {
  return page(
    { title: 'Sign in', error: view.error, notice: view.notice },
    html`<form method="post" action="/auth/sign_in">
${csrfField(view.csrfToken)}
${view.returnTo ? html`<input type="hidden" name="return_to" value="${view.returnTo}">` : null}
${field('E-mail address or username', html`<input type="text" name="login" value="${view.login ?? ''}" autocomplete="username" required autofocus>`)}
${field('Password', html`<input type="password" name="password" autocomplete="current-password" required>`)}
<button type="submit">Sign in</button>
</form>
<p class="links">${view.canSignUp ? html`<a href="/auth/sign_up">Create an account</a> · ` : null}<a href="/auth/password/new">Forgot your password?</a></p>`,
  );
}

export function secondFactorPage(view: { csrfToken: string; returnTo: string | null; error?: string | null }): string {
  return page(
    { title: 'Two-factor authentication', error: view.error },
    html`<form method="post" action="/auth/sign_in">
${csrfField(view.csrfToken)}
${view.returnTo ? html`<input type="hidden" name="return_to" value="${view.returnTo}">` : null}
${field('Code from your authenticator app, or a recovery code', html`<input type="text" name="otp_attempt" inputmode="numeric" autocomplete="one-time-code" required autofocus>`)}
<button type="submit">Sign in</button>
</form>`,
  );
}

export interface SignUpView {
  csrfToken: string;
  mode: 'open' | 'approval' | 'invite' | 'closed';
  requireEmail: boolean;
  values: { username?: string; email?: string; reason?: string; inviteCode?: string };
  error?: string | null;
}

export function signUpPage(view: SignUpView): string {
  if (view.mode === 'closed') {
    return page({ title: 'Sign up', error: view.error }, html`<p>This server is not accepting new accounts.</p><p class="links"><a href="/auth/sign_in">Sign in</a></p>`);
  }
  const { values } = view;
  const intro = {
    open: 'Your account is ready as soon as you sign up.',
    approval: 'An administrator reviews new accounts; you can sign in once yours is approved.',
    invite: 'Signing up here needs an invite code from a member.',
  }[view.mode];
  return page(
    { title: 'Sign up', error: view.error },
    html`<p>${intro}</p>
<form method="post" action="/auth/sign_up">
${csrfField(view.csrfToken)}
${field('Username', html`<input type="text" name="username" value="${values.username ?? ''}" maxlength="30" pattern="[A-Za-z0-9_]+" autocomplete="username" required>`, 'Letters, numbers and underscores.')}
${field(view.requireEmail ? 'E-mail address' : 'E-mail address (optional)', html`<input type="email" name="email" value="${values.email ?? ''}" autocomplete="email" ${view.requireEmail ? 'required' : ''}>`)}
${field('Password', html`<input type="password" name="password" minlength="8" autocomplete="new-password" required>`, 'At least 8 characters.')}
${view.mode === 'approval' ? field('Why do you want to join?', html`<textarea name="reason" rows="3" maxlength="1000">${values.reason ?? ''}</textarea>`) : null}
${view.mode === 'invite' || values.inviteCode ? field('Invite code', html`<input type="text" name="invite_code" value="${values.inviteCode ?? ''}" ${view.mode === 'invite' ? 'required' : ''}>`) : null}
<label class="check"><input type="checkbox" name="agreement" value="1" required> I agree to the server's rules and terms.</label>
<button type="submit">Sign up</button>
</form>
<p class="links"><a href="/auth/sign_in">Already have an account? Sign in</a></p>`,
  );
}

export function setupPage(view: { csrfToken: string; token: string; values: { username?: string; email?: string }; error?: string | null }): string {
  return page(
    { title: 'Set up Viewfinder', error: view.error },
    html`<p>Create the first account. It becomes the administrator of this server.</p>
<form method="post" action="/auth/setup">
${csrfField(view.csrfToken)}
<input type="hidden" name="token" value="${view.token}">
${field('Username', html`<input type="text" name="username" value="${view.values.username ?? ''}" maxlength="30" pattern="[A-Za-z0-9_]+" required>`, 'Letters, numbers and underscores; admin and similar names are reserved.')}
${field('E-mail address (optional)', html`<input type="email" name="email" value="${view.values.email ?? ''}">`)}
${field('Password', html`<input type="password" name="password" minlength="8" autocomplete="new-password" required>`, 'At least 8 characters.')}
<button type="submit">Create admin account</button>
</form>`,
  );
}
