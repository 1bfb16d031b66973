// Alt text and focal point: checked on upload and on PUT /api/v1/media/:id,
// and changed only by the uploader.
import type { Db } from '../../db/knex.ts';
import { findMediaById, updateMediaDetails, type Media } from '../../db/media.repo.ts';
import { notFound, unprocessable } from '../../errors.ts';

/** Mastodon's focal point: each axis in -1..1, x left to right, y bottom to top. */
export interface Focus {
  x: number;
  y: number;
}

export const MAX_DESCRIPTION_LENGTH = 1500;

export function checkDescription(description: string | null | undefined): string | null {
  if (description === undefined || description === null) return null;
  const text = description.trim();
  if ([...text].length > MAX_DESCRIPTION_LENGTH) throw unprocessable(`Validation failed: Description is too long (maximum is ${MAX_DESCRIPTION_LENGTH} characters)`);
  return text === '' ? null : text;
}

/** `"x,y"` as apps send it → a focus; a malformed value is a 422, not a silent centre. */
export function parseFocus(text: string | undefined): Focus | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const parts = text.split(',').map((part) => Number(part.trim()));
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n) || n < -1 || n > 1)) {
    throw unprocessable('Validation failed: focus must be two numbers from -1.0 to 1.0, like "0.5,-0.25"');
  }
  return { x: parts[0]!, y: parts[1]! };
}

/** The uploader's own media, or a 404 (someone else's media is not theirs to see or change). */
export async function findOwnMedia(db: Db, accountId: number, id: number): Promise<Media> {
  const media = await findMediaById(db, id);
  if (!media || media.accountId !== accountId) throw notFound();
  return media;
}

export async function updateOwnMedia(db: Db, accountId: number, id: number, changes: { description?: string | null; focus?: Focus }): Promise<Media> {
  await findOwnMedia(db, accountId, id);
  await updateMediaDetails(db, id, {
    description: changes.description === undefined ? undefined : checkDescription(changes.description),
    focusX: changes.focus?.x,
    focusY: changes.focus?.y,
  });
  return (await findMediaById(db, id))!;
}
