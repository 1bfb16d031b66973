// Plain text → sanitized HTML, as bios are stored.
import test from 'ava';
import { extractMentions, fieldValueToHtml, plainTextToHtml, type MentionTarget } from '../../../server/services/text/plain-to-html.ts';

const options = (mentions: Record<string, MentionTarget> = {}) => ({
  publicUrl: 'https://photos.example',
  domain: 'photos.example',
  mentions: new Map(Object.entries(mentions)),
});

test('markup typed by the user is escaped, never interpreted', (t) => {
  const html = plainTextToHtml('<script>alert(1)</script> & <img src=x onerror=y> "q"', options());
  t.is(html, '<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=y&gt; "q"</p>');
});

test('line breaks become <br>, blank lines paragraphs; CRLF alike', (t) => {
  t.is(plainTextToHtml('one\r\ntwo\n\n\nthree', options()), '<p>one<br />two</p><p>three</p>');
  t.is(plainTextToHtml('   ', options()), '');
});

test('http(s) URLs are linked with safe rel; other schemes and bare domains are not', (t) => {
  const html = plainTextToHtml('see https://www.example.com/a?b=1&c=2, javascript:alert(1) and example.org', options());
  t.is(
    html,
    '<p>see <a href="https://www.example.com/a?b=1&amp;c=2" target="_blank" rel="nofollow noopener noreferrer" translate="no">example.com/a?b=1&amp;c=2</a>, javascript:alert(1) and example.org</p>',
  );
});

test('mentions of known accounts link to them; unknown ones and e-mail addresses stay text', (t) => {
  const mentions = {
    alice: { url: 'https://photos.example/@alice', username: 'alice' },
    'bob@other.example': { url: 'https://other.example/@bob', username: 'bob' },
  };
  const html = plainTextToHtml('hi @Alice, @bob@other.example, @carol and me@mail.example @alice@photos.example', options(mentions));
  t.is(
    html,
    '<p>hi <span class="h-card" translate="no"><a href="https://photos.example/@alice" class="u-url mention">@<span>alice</span></a></span>, ' +
      '<span class="h-card" translate="no"><a href="https://other.example/@bob" class="u-url mention">@<span>bob</span></a></span>, @carol and me@mail.example ' +
      '<span class="h-card" translate="no"><a href="https://photos.example/@alice" class="u-url mention">@<span>alice</span></a></span></p>',
  );
  t.deepEqual(extractMentions('hi @Alice @bob@Other.Example me@mail.example @alice@photos.example https://x.example/@nope', 'photos.example'), [
    { username: 'Alice', domain: null },
    { username: 'bob', domain: 'other.example' },
  ]);
});

test('hashtags link to the tag page; numbers, URL fragments and entities do not', (t) => {
  const html = plainTextToHtml('#Café #2024 #sun_set https://x.example/#frag', options());
  t.is(
    html,
    '<p><a href="https://photos.example/tags/caf%C3%A9" class="mention hashtag" rel="tag">#<span>Café</span></a> #2024 ' +
      '<a href="https://photos.example/tags/sun_set" class="mention hashtag" rel="tag">#<span>sun_set</span></a> ' +
      '<a href="https://x.example/#frag" target="_blank" rel="nofollow noopener noreferrer" translate="no">x.example/#frag</a></p>',
  );
});

test('profile field values: escaped, URLs linked with rel="me", one line', (t) => {
  t.is(fieldValueToHtml('<i>she/her</i>'), '&lt;i&gt;she/her&lt;/i&gt;');
  t.is(
    fieldValueToHtml('site: https://alice.example\nnext'),
    'site: <a href="https://alice.example" target="_blank" rel="me nofollow noopener noreferrer" translate="no">alice.example</a> next',
  );
});
