// Sign-up input checks that answer in Mastodon's shape: a 422 whose `error`
// reads "Validation failed: …" and whose `details` map each field to
// [{error: 'ERR_…', description}], which Mastodon clients show per field.
import { AppError } from '../../errors.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.ts';
import { emailProblem, isReservedUsername, MAX_USERNAME_LENGTH } from './usernames.ts';

export type FieldErrorCode = 'ERR_BLANK' | 'ERR_INVALID' | 'ERR_TOO_LONG' | 'ERR_TOO_SHORT' | 'ERR_TAKEN' | 'ERR_RESERVED' | 'ERR_ACCEPTED';

export interface FieldError {
  error: FieldErrorCode;
  description: string;
}

export type FieldErrors = Record<string, FieldError[]>;

const LABELS: Record<string, string> = { username: 'Username', email: 'E-mail', password: 'Password', agreement: 'Agreement', invite_code: 'Invite code', reason: 'Reason' };

export function addFieldError(errors: FieldErrors, field: string, error: FieldErrorCode, description: string): void {
  (errors[field] ??= []).push({ error, description });
}

/** A 422 listing every field error, or nothing when there is none. */
export function throwIfInvalid(errors: FieldErrors): void {
  const fields = Object.keys(errors);
  if (!fields.length) return;
  const summary = fields.flatMap((field) => errors[field]!.map((e) => `${LABELS[field] ?? field} ${e.description}`)).join(', ');
  throw new AppError(422, `Validation failed: ${summary}`, { details: errors });
}

export function checkUsername(errors: FieldErrors, username: string): void {
  if (!username) return addFieldError(errors, 'username', 'ERR_BLANK', "can't be blank");
  if (username.length > MAX_USERNAME_LENGTH) return addFieldError(errors, 'username', 'ERR_TOO_LONG', `is too long (maximum is ${MAX_USERNAME_LENGTH} characters)`);
  if (!/^[a-z0-9_]+$/i.test(username)) return addFieldError(errors, 'username', 'ERR_INVALID', 'must contain only letters, numbers and underscores');
  if (isReservedUsername(username)) addFieldError(errors, 'username', 'ERR_RESERVED', 'is reserved');
}

export function checkEmail(errors: FieldErrors, email: string | null, required: boolean): void {
  if (email === null) {
    if (required) addFieldError(errors, 'email', 'ERR_BLANK', "can't be blank");
    return;
  }
  if (emailProblem(email)) addFieldError(errors, 'email', 'ERR_INVALID', 'is invalid');
}

export function checkPassword(errors: FieldErrors, password: string): void {
  if (!password) return addFieldError(errors, 'password', 'ERR_BLANK', "can't be blank");
  if (password.length < MIN_PASSWORD_LENGTH) return addFieldError(errors, 'password', 'ERR_TOO_SHORT', `is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)`);
  if (password.length > MAX_PASSWORD_LENGTH) addFieldError(errors, 'password', 'ERR_TOO_LONG', `is too long (maximum is ${MAX_PASSWORD_LENGTH} characters)`);
}
