// Stateless, signed, expiring tokens for links we mail: e-mail confirmation
// and password reset. HMAC-SHA256 with the instance's secret key over the
// purpose, the user id, the expiry and a fingerprint of the state the link may
// change (the address to confirm, the password hash to replace), so a reset
// link stops working once the password changed — each link works once.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'confirm-email' | 'change-email' | 'reset-password' | 'sign-in-otp';

function fingerprint(state: string): string {
  return createHash('sha256').update(state).digest('base64url').slice(0, 16);
}

function mac(secretKey: string, payload: string): string {
  return createHmac('sha256', secretKey).update(payload).digest('base64url');
}

export function signAccountToken(secretKey: string, purpose: TokenPurpose, userId: number, state: string, expiresAt: number): string {
  const body = `${userId}.${expiresAt}`;
  return `${body}.${mac(secretKey, `${purpose}.${body}.${fingerprint(state)}`)}`;
}

/** The user id a token names, before checking it (the caller loads the user to know `state`). */
export function tokenUserId(token: string): number | null {
  const match = /^(\d{1,16})\.(\d{1,16})\.[\w-]{43}$/.exec(token);
  return match ? Number(match[1]) : null;
}

export function verifyAccountToken(secretKey: string, purpose: TokenPurpose, token: string, state: string, now = Date.now()): boolean {
  const match = /^(\d{1,16})\.(\d{1,16})\.([\w-]{43})$/.exec(token);
  if (!match) return false;
  const [, userId, expiresAt, signature] = match as unknown as [string, string, string, string];
  if (Number(expiresAt) <= now) return false;
  const expected = Buffer.from(mac(secretKey, `${purpose}.${userId}.${expiresAt}.${fingerprint(state)}`));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
