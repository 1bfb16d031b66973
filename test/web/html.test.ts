// The page template escapes what it interpolates.
import test from 'ava';
import { html, raw } from '../../web/html.ts';

test('interpolated values are escaped; nested templates and raw() are not', (t) => {
  const name = `<img src=x onerror="alert('1')">&`;
  t.is(html`<p title="${name}">${name}</p>`.text, '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p>');
  t.is(html`<ul>${['a<', 'b'].map((item) => html`<li>${item}</li>`)}</ul>`.text, '<ul><li>a&lt;</li><li>b</li></ul>');
  t.is(html`${raw('<br>')}${null}${undefined}${false}${0}`.text, '<br>0');
});
