// registerAccount under each registration mode, and its validation answers.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { databaseTargets, type DatabaseTarget } from '../../helpers/databases.ts';
import { loadConfig } from '../../../config/load.ts';
import { AppError } from '../../../server/errors.ts';
import { createLocalAccount } from '../../../server/services/accounts/admin-accounts.service.ts';
import { registerAccount, registrationMode, setRegistrationMode } from '../../../server/services/accounts/registration.service.ts';
import { createInvite, revokeInvite } from '../../../server/services/accounts/invites.service.ts';
import { confirmEmail } from '../../../server/services/accounts/registration-mail.ts';
import { checkCredentials } from '../../../server/services/accounts/sessions-sign-in.service.ts';

async function setup(t: ExecutionContext, target: DatabaseTarget, env: Record<string, string> = {}) {
  const { db, dataDir } = await target.create(t);
  const config = loadConfig({ env: { VIEWFINDER_DATA_DIR: dataDir, VIEWFINDER_SECRET_KEY: 'k'.repeat(40), ...env }, cwd: dataDir, persistSecret: false });
  return { db, config };
}

const input = (username: string, extra: Record<string, unknown> = {}) => ({ username, password: 'a long password', ...extra });

async function refusal(t: ExecutionContext, promise: Promise<unknown>): Promise<AppError> {
  const error = await t.throwsAsync(promise, { instanceOf: AppError });
  return error!;
}

for (const target of await databaseTargets()) {
  test(`${target.name}: the mode comes from the config until an admin stores one`, async (t) => {
    const { db, config } = await setup(t, target, { VIEWFINDER_REGISTRATIONS: 'open' });
    t.is(await registrationMode(db, config), 'open');
    await setRegistrationMode(db, 'closed');
    t.is(await registrationMode(db, config), 'closed');
    t.is(await registrationMode(db, { ...config, registrations: 'invite' }), 'closed', 'the stored setting wins');
  });

  test(`${target.name}: open: active at once; approval (default): pending until approved; closed: refused`, async (t) => {
    const { db, config } = await setup(t, target);
    t.is(config.registrations, 'approval');
    const pending = await registerAccount(db, config, input('penny', { reason: 'I take photos' }));
    t.false(pending.user.approved);
    t.is(pending.user.signUpReason, 'I take photos');
    t.truthy(pending.user.confirmedAt, 'without SMTP nobody can confirm: confirmed at once');
    const check = await checkCredentials(db, 'penny', 'a long password');
    t.like(check, { ok: false, status: 403 });
    t.regex((check as { message: string }).message, /pending approval/);

    await setRegistrationMode(db, 'open');
    const open = await registerAccount(db, config, input('olive'));
    t.true(open.user.approved);
    t.like(await checkCredentials(db, 'olive', 'a long password'), { ok: true });

    await setRegistrationMode(db, 'closed');
    const closed = await refusal(t, registerAccount(db, config, input('carl')));
    t.is(closed.status, 403);
    t.regex(closed.publicMessage, /closed/);
    t.is(Number((await db('accounts').count({ n: '*' }).first())!.n), 2);
  });

  test(`${target.name}: invite: a valid code is required, uses are counted, revoked/expired/used-up codes are refused`, async (t) => {
    const { db, config } = await setup(t, target, { VIEWFINDER_REGISTRATIONS: 'invite' });
    const missing = await refusal(t, registerAccount(db, config, input('ian')));
    t.is(missing.status, 422);
    t.is((missing.details as any).invite_code[0].error, 'ERR_BLANK');

    await createLocalAccount(db, { username: 'boss', role: 'admin' });
    const invite = await createInvite(db, { maxUses: 2 });
    const bogus = await refusal(t, registerAccount(db, config, input('ian', { inviteCode: 'nope' })));
    t.is((bogus.details as any).invite_code[0].error, 'ERR_INVALID');

    const first = await registerAccount(db, config, input('ian', { inviteCode: invite.code }));
    t.true(first.user.approved, 'an invited account is approved at once');
    t.is(first.user.inviteId, invite.id);
    // Two sign-ups race for the last use: exactly one gets it.
    const race = await Promise.allSettled([registerAccount(db, config, input('ivy', { inviteCode: invite.code })), registerAccount(db, config, input('iris', { inviteCode: invite.code }))]);
    t.deepEqual(race.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const loser = race.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    t.is(loser.reason.status, 422);
    t.regex(loser.reason.publicMessage, /Invite code is invalid, expired, revoked or used up/);
    t.is(Number((await db('invites').where({ id: invite.id }).first()).uses), 2);
    await db('accounts').where({ username: 'iris' }).delete();

    const revoked = await createInvite(db, {});
    await revokeInvite(db, revoked.code);
    await refusal(t, registerAccount(db, config, input('iris', { inviteCode: revoked.code })));
    const expired = await createInvite(db, { expiresInDays: 1 });
    await db('invites').where({ id: expired.id }).update({ expires_at: Date.now() - 1 });
    await refusal(t, registerAccount(db, config, input('iris', { inviteCode: expired.code })));
    t.falsy(await db('accounts').where({ username: 'iris' }).first(), 'a refused sign-up writes nothing');
  });

  test(`${target.name}: a username differing only in case, a used address, and weak or empty input get 422 with Mastodon's details`, async (t) => {
    const { db, config } = await setup(t, target, { VIEWFINDER_REGISTRATIONS: 'open', VIEWFINDER_REQUIRE_EMAIL: 'on' });
    await registerAccount(db, config, input('Alice', { email: 'alice@example.com' }));

    const duplicate = await refusal(t, registerAccount(db, config, input('aLiCe', { email: 'ALICE@example.com' })));
    t.is(duplicate.status, 422);
    t.deepEqual(duplicate.details, {
      username: [{ error: 'ERR_TAKEN', description: 'has already been taken' }],
      email: [{ error: 'ERR_TAKEN', description: 'has already been taken' }],
    });
    t.regex(duplicate.publicMessage, /^Validation failed: Username has already been taken/);

    const empty = await refusal(t, registerAccount(db, config, { username: '', password: '' }));
    t.is(empty.status, 422);
    t.deepEqual(Object.fromEntries(Object.entries(empty.details!).map(([k, v]) => [k, (v as any)[0].error])), { username: 'ERR_BLANK', email: 'ERR_BLANK', password: 'ERR_BLANK' });

    const weak = await refusal(t, registerAccount(db, config, { username: 'bad-name', email: 'not an address', password: 'short', agreement: false }));
    t.deepEqual(Object.fromEntries(Object.entries(weak.details!).map(([k, v]) => [k, (v as any)[0].error])), { username: 'ERR_INVALID', email: 'ERR_INVALID', password: 'ERR_TOO_SHORT', agreement: 'ERR_ACCEPTED' });
    t.regex(weak.publicMessage, /Password is too short \(minimum is 8 characters\)/);
    const reserved = await refusal(t, registerAccount(db, config, input('Admin', { email: 'x@example.com' })));
    t.is((reserved.details as any).username[0].error, 'ERR_RESERVED');
    t.is(Number((await db('accounts').count({ n: '*' }).first())!.n), 1);
  });

  test(`${target.name}: with SMTP configured a confirmation mail is queued and sign-in waits for its link`, async (t) => {
    const { db, config } = await setup(t, target, { VIEWFINDER_REGISTRATIONS: 'open', VIEWFINDER_SMTP_URL: 'smtp://127.0.0.1:2525' });
    const { user } = await registerAccount(db, config, input('mia', { email: 'mia@example.com' }));
    t.is(user.confirmedAt, null);
    t.like(await checkCredentials(db, 'mia', 'a long password'), { ok: false, status: 403 });
    const job = await db('jobs').where({ type: 'mail.send' }).first();
    const mail = JSON.parse(job.payload);
    t.is(mail.to, 'mia@example.com');
    const token = decodeURIComponent(/token=([^\s&]+)/.exec(mail.text)![1]!);
    await t.throwsAsync(confirmEmail(db, config, token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), { instanceOf: AppError });
    const confirmed = await confirmEmail(db, config, token);
    t.truthy(confirmed.confirmedAt);
    t.like(await checkCredentials(db, 'mia', 'a long password'), { ok: true });
  });
}
