// First run: while no local account exists, the server prints a one-time
// token in its log; /auth/setup?token=… creates the first admin with it, so
// nobody else on the network can claim a fresh instance. Only the token's
// hash is stored (kv table), and each start replaces the previous token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../../config/load.ts';
import { AppError } from '../../errors.ts';
import type { Db } from '../../db/knex.ts';
import { deleteKv, getKv, modifyKv, setKv } from '../../db/kv.repo.ts';
import { hasLocalUsers } from '../../db/registrations.repo.ts';
import { getLogger } from '../../logging.ts';
import { createLocalAccount, type CreatedLocalAccount } from './admin-accounts.service.ts';

const KEY = ['viewfinder', 'setup-token'];
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** When no local account exists: a new token, logged with the setup URL; otherwise null (and any old token is dropped). */
export async function ensureSetupToken(db: Db, config: Config): Promise<string | null> {
  if (await hasLocalUsers(db)) {
    await deleteKv(db, KEY);
    return null;
  }
  const token = randomBytes(24).toString('base64url');
  await setKv(db, KEY, hash(token));
  getLogger('setup').warning(`No account exists yet. Create the first admin account at ${setupUrl(config, token)} (this link works once).`);
  return token;
}

export function setupUrl(config: Config, token: string): string {
  return `${config.publicUrl}/auth/setup?token=${encodeURIComponent(token)}`;
}

/** True while `token` is the live setup token and no account exists yet. */
export async function isSetupTokenValid(db: Db, token: string): Promise<boolean> {
  const stored = await getKv(db, KEY);
  return typeof stored === 'string' && matches(stored, token) && !(await hasLocalUsers(db));
}

function matches(storedHash: string, token: string): boolean {
  const a = Buffer.from(storedHash);
  const b = Buffer.from(hash(token));
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Creates the first account as an admin, confirmed and approved, and spends
 * the token in the same transaction (the kv row stays locked meanwhile, so two
 * uses of one token cannot both succeed). Bad input keeps the token.
 */
export async function completeSetup(db: Db, token: string, input: { username: string; email?: string; password: string }): Promise<CreatedLocalAccount> {
  return modifyKv(db, KEY, async (current, tx) => {
    if (typeof current?.value !== 'string' || !matches(current.value, token)) throw new AppError(403, 'This setup link is invalid or has been used');
    if (await hasLocalUsers(tx)) throw new AppError(403, 'This instance is already set up');
    if (!input.password) throw new AppError(422, 'Password must not be empty');
    const created = await createLocalAccount(tx, { username: input.username.trim(), email: input.email?.trim() || null, password: input.password, role: 'admin' });
    return { result: created, next: null };
  });
}
