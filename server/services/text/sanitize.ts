// The allow-list every piece of HTML we store for display passes through:
// only the tags and classes our formatter produces (and Mastodon apps style).
import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'a', 'span'],
  allowedAttributes: {
    a: ['href', 'rel', 'class', 'target', 'translate'],
    span: ['class', 'translate'],
  },
  allowedClasses: {
    a: ['u-url', 'mention', 'hashtag'],
    span: ['h-card', 'invisible', 'ellipsis'],
  },
  allowedSchemes: ['http', 'https'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
};

export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
