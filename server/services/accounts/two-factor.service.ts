// TOTP two-factor sign-in (RFC 6238 via otpauth) with ten single-use recovery
// codes, stored as SHA-256 hashes. The secret is saved only once the user has
// proven their app produces valid codes for it.
import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { Config } from '../../../config/load.ts';
import { AppError } from '../../errors.ts';
import type { Queryable } from '../../db/knex.ts';
import { findUserById, updateUser, type User } from '../../db/users.repo.ts';
import { replaceRecoveryCodes } from '../../db/two-factor.repo.ts';
import { modifyKv } from '../../db/kv.repo.ts';
import { verifyPassword } from './passwords.ts';

const RECOVERY_CODE_COUNT = 10;

function totpFor(config: Config, label: string, secretBase32: string): TOTP {
  return new TOTP({ issuer: config.domain, label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) });
}

/** A fresh secret to show while enabling: base32 for typing, otpauth:// URI for QR codes. */
export function newTotpSecret(config: Config, label: string): { secret: string; uri: string } {
  const secret = new Secret({ size: 20 }).base32;
  return { secret, uri: totpFor(config, label, secret).toString() };
}

export function totpUri(config: Config, label: string, secret: string): string {
  return totpFor(config, label, secret).toString();
}

const PERIOD_MS = 30_000;

/**
 * The time step of a valid code: the current one, or the one just before or
 * after (clock drift); null when the code is not valid.
 */
function totpStep(config: Config, secret: string, code: string, now = Date.now()): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(config, 'check', secret).validate({ token, window: 1, timestamp: now });
  return delta === null ? null : Math.floor(now / PERIOD_MS) + delta;
}

export function checkTotp(config: Config, secret: string, code: string): boolean {
  return totpStep(config, secret, code) !== null;
}

const hashCode = (code: string) => createHash('sha256').update(code.toLowerCase().replace(/[\s-]/g, '')).digest('hex');

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const hex = randomBytes(5).toString('hex');
    return `${hex.slice(0, 5)}-${hex.slice(5)}`;
  });
}

/**
 * Turns TOTP on once `code` is valid for `secret`; returns the recovery codes,
 * shown to the user this once and stored only as hashes.
 */
export async function enableTwoFactor(db: Queryable, config: Config, user: User, secret: string, code: string): Promise<string[]> {
  if (user.otpSecret) throw new AppError(422, 'Two-factor authentication is already enabled');
  if (!/^[A-Z2-7]{16,64}$/.test(secret)) throw new AppError(422, 'The secret is malformed; start again');
  if (!checkTotp(config, secret, code)) throw new AppError(422, 'That code is not valid; check the time on your device and try again');
  const codes = newRecoveryCodes();
  await updateUser(db, user.id, { otpSecret: secret, otpRecoveryCodes: JSON.stringify(codes.map(hashCode)) });
  return codes;
}

export async function disableTwoFactor(db: Queryable, user: User, password: string): Promise<void> {
  if (!(await verifyPassword(password, user.passwordHash))) throw new AppError(422, 'The password is not correct');
  await updateUser(db, user.id, { otpSecret: null, otpRecoveryCodes: null });
}

/**
 * Checks the second factor: a TOTP code, or a recovery code, which is crossed
 * off in the same conditional update so it works exactly once even when two
 * sign-ins race.
 */
export async function verifySecondFactor(db: Queryable, config: Config, userId: number, attempt: string): Promise<boolean> {
  const user = await findUserById(db, userId);
  if (!user?.otpSecret) return false;
  const step = totpStep(config, user.otpSecret, attempt);
  if (step !== null) return claimStep(db, user.id, step);
  return useRecoveryCode(db, user, attempt);
}

/**
 * A TOTP code signs in once (RFC 6238 §5.2): the last used time step is kept
 * (kv, expiring after the validity window) and only a later step is accepted,
 * so a code seen over someone's shoulder is useless once they used it.
 */
async function claimStep(db: Queryable, userId: number, step: number): Promise<boolean> {
  return modifyKv(db, ['viewfinder', 'totp-last-step', String(userId)], (current) => {
    if (typeof current?.value === 'number' && current.value >= step) return { result: false };
    return { result: true, next: { value: step, expiresAt: (step + 2) * PERIOD_MS } };
  });
}

async function useRecoveryCode(db: Queryable, user: User, attempt: string): Promise<boolean> {
  if (!user.otpRecoveryCodes || attempt.length > 64) return false;
  const hashes = JSON.parse(user.otpRecoveryCodes) as string[];
  const hash = hashCode(attempt);
  if (!hashes.includes(hash)) return false;
  const remaining = JSON.stringify(hashes.filter((h) => h !== hash));
  return replaceRecoveryCodes(db, user.id, user.otpRecoveryCodes, remaining);
}
