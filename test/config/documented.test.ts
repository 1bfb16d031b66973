// Operators configure Viewfinder from the README: every setting must be there,
// under both its environment variable and its config-file key.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { settings } from '../../config/settings.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('every setting is documented in the README configuration table', (t) => {
  for (const [key, setting] of Object.entries(settings)) {
    t.true(readme.includes(`| \`${key}\` | \`${setting.env}\` |`), `${key} / ${setting.env} is missing from the README table`);
  }
});
