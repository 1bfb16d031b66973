import test from 'ava';
import { emailProblem, isReservedUsername, usernameProblem } from '../../../server/services/accounts/usernames.ts';

test('letters, digits and underscores up to 30 characters make a username', (t) => {
  for (const name of ['alice', 'Alice_B', 'a', '_', '2cool', 'x'.repeat(30)]) t.is(usernameProblem(name), null, name);
});

test('other usernames are refused with a reason', (t) => {
  t.regex(usernameProblem('')!, /empty/);
  t.regex(usernameProblem('x'.repeat(31))!, /at most 30/);
  for (const name of ['al-ice', 'al.ice', 'al ice', 'alice@example.com', 'élise', 'ali\u0441e' /* Cyrillic с */]) {
    t.regex(usernameProblem(name)!, /letters, numbers and underscores/, name);
  }
});

test('staff and path names are reserved in any case', (t) => {
  for (const name of ['admin', 'Administrator', 'ROOT', 'support', 'api', 'oauth', 'users', 'viewfinder', 'www', 'moderator']) {
    t.true(isReservedUsername(name), name);
    t.regex(usernameProblem(name)!, /reserved/, name);
  }
  t.false(isReservedUsername('admiral'));
});

test('e-mail addresses need a local part, an @ and a dotted domain', (t) => {
  for (const email of ['a@example.com', 'first.last+tag@mail.example.co.uk']) t.is(emailProblem(email), null, email);
  for (const email of ['', 'a', 'a@', '@example.com', 'a@example', 'a b@example.com', 'a@@example.com', 'a@example..com', `${'x'.repeat(320)}@example.com`]) {
    t.truthy(emailProblem(email), email);
  }
});
