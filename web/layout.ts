// The page frame every server-rendered page shares, and form helpers.
import { html, type Html } from './html.ts';

export interface PageOptions {
  title: string;
  /** Shown in the header when signed in. */
  username?: string | null;
  csrfToken?: string;
  notice?: string | null;
  error?: string | null;
  /** Extra elements for <head> (the public pages' OpenGraph tags and alternate links). */
  head?: Html;
  /** A class for <main> ('wide' for settings, 'public' for the grid and post pages). */
  mainClass?: string;
  /** False when the body brings its own heading (a profile's name); the title still names the tab. */
  showTitle?: boolean;
}

export function page(options: PageOptions, body: Html): string {
  const { title, username, csrfToken } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · Viewfinder</title>
<link rel="stylesheet" href="/assets/app.css">
${options.head ?? null}
</head>
<body>
<header class="top">
<a class="brand" href="/">Viewfinder</a>
${username && csrfToken
    ? html`<nav><a href="/settings/account">@${username}</a> <form class="inline" method="post" action="/auth/sign_out">${csrfField(csrfToken)}<button class="link" type="submit">Sign out</button></form></nav>`
    : null}
</header>
<main${options.mainClass ? html` class="${options.mainClass}"` : null}>
${options.showTitle === false ? null : html`<h1>${title}</h1>`}
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : null}
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : null}
${body}
</main>
</body>
</html>
`.text;
}

export function csrfField(token: string | undefined): Html {
  return html`<input type="hidden" name="authenticity_token" value="${token ?? ''}">`;
}

export function field(label: string, input: Html, hint?: string): Html {
  return html`<label>${label}${input}${hint ? html`<small>${hint}</small>` : null}</label>`;
}
