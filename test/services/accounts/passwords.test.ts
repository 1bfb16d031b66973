import test from 'ava';
import { generatePassword, hashPassword, needsRehash, passwordProblem, verifyPassword } from '../../../server/services/accounts/passwords.ts';

test('a hash verifies its own password and no other', async (t) => {
  const hash = await hashPassword('correct horse battery staple');
  t.regex(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  t.false(hash.includes('correct horse'));
  t.true(await verifyPassword('correct horse battery staple', hash));
  t.false(await verifyPassword('correct horse battery stapler', hash));
  t.false(await verifyPassword('', hash));
  t.false(needsRehash(hash));
});

test('the same password hashes differently each time (random salt)', async (t) => {
  const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
  t.not(a, b);
  t.true(await verifyPassword('same password', b));
});

test('composed and decomposed forms of a password are the same password', async (t) => {
  const hash = await hashPassword('caf\u00e9 au lait');
  t.true(await verifyPassword('cafe\u0301 au lait', hash));
});

test('hashes with older parameters still verify and ask for a rehash', async (t) => {
  // Made with N=2^14: what a stored hash from a cheaper past setting looks like.
  const { scryptSync } = await import('node:crypto');
  const salt = Buffer.from('0123456789abcdef');
  const old = `scrypt$16384$8$1$${salt.toString('base64')}$${scryptSync('old password', salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')}`;
  t.true(await verifyPassword('old password', old));
  t.true(needsRehash(old));
});

test('missing, malformed or absurd stored hashes never verify', async (t) => {
  for (const stored of [null, undefined, '', 'plaintext', 'bcrypt$2a$10$abc', 'scrypt$3$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', 'scrypt$1073741824$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==']) {
    t.false(await verifyPassword('anything', stored), String(stored));
  }
});

test('generated passwords are 24 URL-safe characters and differ', (t) => {
  const passwords = new Set(Array.from({ length: 50 }, generatePassword));
  t.is(passwords.size, 50);
  for (const password of passwords) {
    t.regex(password, /^[A-Za-z0-9_-]{24}$/);
    t.is(passwordProblem(password), null);
  }
});

test('too short or too long passwords are refused with a reason', (t) => {
  t.regex(passwordProblem('short')!, /at least 8/);
  t.regex(passwordProblem('x'.repeat(1025))!, /at most 1024/);
  t.is(passwordProblem('eight ch'), null);
});
