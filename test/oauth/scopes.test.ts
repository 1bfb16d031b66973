// Scope parsing and Mastodon's scope hierarchy.
import test from 'ava';
import { AppError } from '../../server/errors.ts';
import { allScopes, parseScopes, scopeAllows, scopesWithin } from '../../server/oauth/scopes.ts';

test('parseScopes splits, de-duplicates, defaults, and refuses unknown scopes', (t) => {
  t.deepEqual(parseScopes('read  write read'), ['read', 'write']);
  t.deepEqual(parseScopes(''), ['read']);
  t.deepEqual(parseScopes(undefined, 'read write'), ['read', 'write']);
  const error = t.throws(() => parseScopes('read admin crypto'), { instanceOf: AppError });
  t.is(error.status, 422);
  t.regex(error.message, /admin, crypto/);
});

test("the list has Mastodon 4.3's scopes", (t) => {
  for (const scope of ['profile', 'push', 'read:search', 'write:conversations', 'write:media', 'admin:read:canonical_email_blocks', 'admin:write:domain_allows']) {
    t.true(allScopes.includes(scope), scope);
  }
  t.false(allScopes.includes('crypto'));
  t.false(allScopes.includes('admin'));
});

test('scopeAllows follows the hierarchy and nothing else', (t) => {
  t.true(scopeAllows(['read'], 'read:accounts'));
  t.true(scopeAllows(['read:accounts'], 'read:accounts'));
  t.false(scopeAllows(['read:accounts'], 'read'));
  t.false(scopeAllows(['read'], 'write:statuses'));
  t.false(scopeAllows(['read'], 'admin:read:accounts'), 'read does not reach admin scopes');
  t.true(scopeAllows(['admin:read'], 'admin:read:reports'));
  t.false(scopeAllows(['admin:read'], 'admin:write:reports'));
  t.true(scopeAllows(['follow'], 'write:blocks'));
  t.false(scopeAllows(['follow'], 'write:statuses'));
  t.false(scopeAllows(['read'], 'profile'));
  t.true(scopesWithin(['read:lists', 'write:media'], ['read', 'write']));
  t.false(scopesWithin(['read', 'push'], ['read', 'write']));
});
