// Invite codes for invite-only (and approval) registration.
import { randomBytes } from 'node:crypto';
import type { Config } from '../../../config/load.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../db/ids.ts';
import type { Queryable } from '../../db/knex.ts';
import { insertInvite, listInvites as listInviteRows, revokeInvite as revokeInviteRow, type Invite } from '../../db/invites.repo.ts';
import { findFirstAdminUserId } from '../../db/registrations.repo.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CreateInviteInput {
  /** The inviting user; the CLI passes none and the first admin is used. */
  userId?: number;
  maxUses?: number | null;
  expiresInDays?: number | null;
}

export async function createInvite(db: Queryable, input: CreateInviteInput = {}): Promise<Invite> {
  const userId = input.userId ?? (await findFirstAdminUserId(db));
  if (userId === undefined) throw new AppError(422, 'An invite needs an admin account to belong to; create one first (admin account create --role admin)');
  const now = Date.now();
  return insertInvite(db, {
    id: newId(),
    // 8 characters of base64url (48 bits): short enough to type, too many to guess.
    // Never a leading '-': a code is typed as a command-line argument too.
    code: inviteCode(),
    createdByUserId: userId,
    maxUses: input.maxUses ?? null,
    expiresAt: input.expiresInDays ? now + input.expiresInDays * DAY_MS : null,
    createdAt: now,
  });
}

export type InviteState = 'valid' | 'revoked' | 'expired' | 'used up';

export function inviteState(invite: Invite, now = Date.now()): InviteState {
  if (invite.revokedAt !== null) return 'revoked';
  if (invite.expiresAt !== null && invite.expiresAt <= now) return 'expired';
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) return 'used up';
  return 'valid';
}

export async function listInvites(db: Queryable, limit?: number): Promise<(Invite & { state: InviteState })[]> {
  return (await listInviteRows(db, limit)).map((invite) => ({ ...invite, state: inviteState(invite) }));
}

export async function revokeInvite(db: Queryable, code: string): Promise<void> {
  if (!(await revokeInviteRow(db, code))) throw new AppError(404, `No unrevoked invite with code ${code}`);
}

export function inviteUrl(config: Config, code: string): string {
  return `${config.publicUrl}/auth/sign_up?invite_code=${encodeURIComponent(code)}`;
}

function inviteCode(): string {
  for (;;) {
    const code = randomBytes(6).toString('base64url');
    if (!code.startsWith('-')) return code;
  }
}
