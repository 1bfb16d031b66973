// The HTML of the authorization flow: consent page, out-of-band code page and
// error page. Every value that reaches the page is escaped.
import type Koa from 'koa';
import type { AuthorizationRequest } from '../../services/oauth/authorization.service.ts';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#222}
h1{font-size:1.4rem}ul{padding-left:1.2rem}code{word-break:break-all;background:#f2f2f2;padding:.4rem;display:block;font-size:1.1rem}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}button{font-size:1rem;padding:.5rem 1.2rem;cursor:pointer}`;

/** Sends an HTML page that no other site may frame (clickjacking) and no cache may keep. */
export function sendPage(ctx: Koa.Context, status: number, title: string, body: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Frame-Options', 'DENY');
  // No form-action: the approve button's POST answers with a redirect to the
  // app's own URI (often a custom scheme), which form-action would block.
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

function hidden(name: string, value: string | null): string {
  return value === null ? '' : `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export interface ConsentView {
  request: AuthorizationRequest;
  username: string;
  csrfToken: string;
}

export function consentPage(ctx: Koa.Context, view: ConsentView): void {
  const { request } = view;
  const website = request.app.website ? ` (<a href="${escapeHtml(request.app.website)}" rel="noopener noreferrer">${escapeHtml(request.app.website)}</a>)` : '';
  const body = `<h1>Authorize ${escapeHtml(request.app.name)}?</h1>
<p><strong>${escapeHtml(request.app.name)}</strong>${website} asks to use your account <strong>@${escapeHtml(view.username)}</strong> with these permissions:</p>
<ul>${request.scopes.map((scope) => `<li><code style="display:inline;padding:0">${escapeHtml(scope)}</code></li>`).join('')}</ul>
<p>You will be sent to <code style="display:inline;padding:0">${escapeHtml(request.redirectUri)}</code>.</p>
<form method="post" action="/oauth/authorize">
${hidden('authenticity_token', view.csrfToken)}
${hidden('client_id', request.app.clientId)}
${hidden('redirect_uri', request.redirectUri)}
${hidden('response_type', 'code')}
${hidden('scope', request.scopes.join(' '))}
${hidden('state', request.state)}
${hidden('code_challenge', request.codeChallenge)}
${hidden('code_challenge_method', request.codeChallengeMethod)}
<div class="actions"><button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Deny</button></div>
</form>`;
  sendPage(ctx, 200, `Authorize ${request.app.name}`, body);
}

/** For urn:ietf:wg:oauth:2.0:oob: the user copies the code into the app. */
export function codePage(ctx: Koa.Context, appName: string, code: string): void {
  sendPage(ctx, 200, 'Authorization code', `<h1>Authorization code</h1>
<p>Copy this code and paste it into <strong>${escapeHtml(appName)}</strong>:</p>
<code id="authorization-code">${escapeHtml(code)}</code>
<p>It works once, within 10 minutes.</p>`);
}

export function errorPage(ctx: Koa.Context, status: number, code: string, description: string): void {
  sendPage(ctx, status, 'Authorization failed', `<h1>Authorization failed</h1>
<p>${escapeHtml(description)}</p>
<p><small>Error: <span id="oauth-error">${escapeHtml(code)}</span></small></p>`);
}
