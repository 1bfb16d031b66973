// Account settings (password, e-mail, deletion) and two-factor authentication.
import { html } from '../html.ts';
import { csrfField, field, page } from '../layout.ts';

interface SettingsView {
  csrfToken: string;
  username: string;
  notice?: string | null;
  error?: string | null;
}

const current = () => field('Current password', html`<input type="password" name="current_password" autocomplete="current-password" required>`);

export function accountSettingsPage(view: SettingsView & { email: string | null; twoFactor: boolean }): string {
  return page(
    { title: 'Account settings', username: view.username, csrfToken: view.csrfToken, notice: view.notice, error: view.error },
    html`<h2>E-mail address</h2>
<form method="post" action="/settings/account/email">
${csrfField(view.csrfToken)}
${field('E-mail address', html`<input type="email" name="email" value="${view.email ?? ''}" autocomplete="email" required>`)}
${current()}
<button type="submit">Change e-mail address</button>
</form>
<h2>Password</h2>
<form method="post" action="/settings/account/password">
${csrfField(view.csrfToken)}
${current()}
${field('New password', html`<input type="password" name="password" minlength="8" autocomplete="new-password" required>`, 'At least 8 characters. Your other sessions are signed out.')}
<button type="submit">Change password</button>
</form>
<h2>Two-factor authentication</h2>
<p>${view.twoFactor ? 'Enabled.' : 'Not enabled.'} <a href="/settings/two_factor">${view.twoFactor ? 'Manage' : 'Set up'}</a></p>
<h2>Delete account</h2>
<form method="post" action="/settings/account/delete">
${csrfField(view.csrfToken)}
<p>Your account is closed at once and you are signed out everywhere. This cannot be undone.</p>
${field('Password', html`<input type="password" name="current_password" autocomplete="current-password" required>`)}
<button class="danger" type="submit">Delete my account</button>
</form>`,
  );
}

export function twoFactorSetupPage(view: SettingsView & { secret: string; uri: string }): string {
  return page(
    { title: 'Two-factor authentication', username: view.username, csrfToken: view.csrfToken, notice: view.notice, error: view.error },
    html`<p>Add this account to an authenticator app (such as Aegis, FreeOTP or 1Password): open the link on your phone, or enter the key by hand.</p>
<p><a href="${view.uri}">${view.uri}</a></p>
<p>Key: <code>${view.secret}</code></p>
<form method="post" action="/settings/two_factor">
${csrfField(view.csrfToken)}
<input type="hidden" name="secret" value="${view.secret}">
${field('Code shown by the app', html`<input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required>`)}
<button type="submit">Enable</button>
</form>`,
  );
}

export function recoveryCodesPage(view: SettingsView & { codes: string[] }): string {
  return page(
    { title: 'Two-factor authentication enabled', username: view.username, csrfToken: view.csrfToken, notice: 'From now on, signing in asks for a code from your app.' },
    html`<p>Keep these recovery codes somewhere safe. Each works once, in place of a code, if you lose your device. They are shown only now.</p>
<ul class="codes">${view.codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
<p class="links"><a href="/settings/account">Back to settings</a></p>`,
  );
}

export function twoFactorEnabledPage(view: SettingsView): string {
  return page(
    { title: 'Two-factor authentication', username: view.username, csrfToken: view.csrfToken, notice: view.notice, error: view.error },
    html`<p>Two-factor authentication is enabled.</p>
<form method="post" action="/settings/two_factor/disable">
${csrfField(view.csrfToken)}
${field('Password', html`<input type="password" name="current_password" autocomplete="current-password" required>`)}
<button class="danger" type="submit">Disable two-factor authentication</button>
</form>`,
  );
}
