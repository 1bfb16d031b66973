// A page that only says something: errors, confirmations.
import { html } from '../html.ts';
import { page } from '../layout.ts';

export function messagePage(title: string, message: string, options: { error?: boolean; link?: { href: string; text: string } } = {}): string {
  const body = html`${options.link ? html`<p class="links"><a href="${options.link.href}">${options.link.text}</a></p>` : null}`;
  return page(options.error ? { title, error: message } : { title, notice: message }, body);
}
