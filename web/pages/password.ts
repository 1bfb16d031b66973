// Password reset: ask for the mail, then choose a new password from its link.
import { html } from '../html.ts';
import { csrfField, field, page } from '../layout.ts';

export function passwordNewPage(view: { csrfToken: string; canMail: boolean; notice?: string | null; error?: string | null }): string {
  if (!view.canMail) {
    return page(
      { title: 'Forgot your password?' },
      html`<p>This server cannot send mail. Ask an administrator to reset your password; they will give you a new one.</p><p class="links"><a href="/auth/sign_in">Back to sign-in</a></p>`,
    );
  }
  return page(
    { title: 'Forgot your password?', notice: view.notice, error: view.error },
    html`<form method="post" action="/auth/password">
${csrfField(view.csrfToken)}
${field('E-mail address', html`<input type="email" name="email" autocomplete="email" required autofocus>`)}
<button type="submit">Send reset link</button>
</form>
<p class="links"><a href="/auth/sign_in">Back to sign-in</a></p>`,
  );
}

export function passwordEditPage(view: { csrfToken: string; token: string; error?: string | null }): string {
  return page(
    { title: 'Choose a new password', error: view.error },
    html`<form method="post" action="/auth/password/edit">
${csrfField(view.csrfToken)}
<input type="hidden" name="token" value="${view.token}">
${field('New password', html`<input type="password" name="password" minlength="8" autocomplete="new-password" required>`, 'At least 8 characters.')}
<button type="submit">Set password</button>
</form>`,
  );
}
