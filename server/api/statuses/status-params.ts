// POST /api/v1/statuses and PUT /api/v1/statuses/:id input, from JSON,
// urlencoded or multipart bodies alike, in Mastodon's parameter names plus
// ours (location, comments_disabled, hide_like_count, reel).
import type Koa from 'koa';
import { isMultipart, nestFormFields, parseMultipart } from '../../http/multipart.ts';
import { unprocessable } from '../../errors.ts';
import { parseFocus } from '../../services/media/media-details.ts';
import type { LocationInput } from '../../services/posts/compose-rules.ts';
import type { EditPostInput } from '../../services/posts/edit-post.service.ts';
import type { NewPostInput } from '../../services/posts/create-post.service.ts';
import { booleanParam, listParam, stringParam } from '../accounts/params.ts';

export async function readBody(ctx: Koa.Context): Promise<Record<string, unknown>> {
  if (isMultipart(ctx)) {
    const parsed = await parseMultipart(ctx, { fileFields: [], maxFileBytes: 0 });
    return nestFormFields(parsed.fields);
  }
  const raw = (ctx.request as { body?: unknown }).body;
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

function idsParam(value: unknown, name: string): number[] | undefined {
  if (value === undefined) return undefined;
  return listParam(value).map((item) => {
    const text = stringParam(item) ?? '';
    if (!/^\d{1,16}$/.test(text)) throw unprocessable(`Validation failed: ${name} must hold ids, got ${JSON.stringify(item)}`);
    return Number(text);
  });
}

function idParam(value: unknown, name: string): number | null | undefined {
  if (value === undefined || value === null || value === '') return value === undefined ? undefined : null;
  const text = stringParam(value) ?? '';
  if (!/^\d{1,16}$/.test(text)) throw unprocessable(`Validation failed: ${name} must be an id`);
  return Number(text);
}

function coordinate(value: unknown, name: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const number = Number(stringParam(value));
  if (!Number.isFinite(number)) throw unprocessable(`Validation failed: location ${name} must be a number`);
  return number;
}

/** `location: {name, lat, lon}`; null or an empty name removes it (on edit). */
function locationParam(value: unknown): LocationInput | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw unprocessable('Validation failed: location must be an object with name, lat and lon');
  const record = value as Record<string, unknown>;
  const name = stringParam(record.name) ?? '';
  if (name.trim() === '' && record.lat === undefined && record.lon === undefined) return null;
  return { name, lat: coordinate(record.lat, 'lat'), lon: coordinate(record.lon, 'lon') };
}

export function readNewPost(body: Record<string, unknown>): NewPostInput {
  if (body.poll !== undefined && body.poll !== null) throw unprocessable('Polls are not supported on this server');
  if (body.scheduled_at !== undefined && body.scheduled_at !== null && body.scheduled_at !== '') throw unprocessable('Scheduled posts are not supported on this server yet');
  return {
    text: stringParam(body.status),
    mediaIds: idsParam(body.media_ids ?? body['media_ids[]'], 'media_ids'),
    sensitive: booleanParam(body.sensitive),
    spoilerText: stringParam(body.spoiler_text),
    visibility: stringParam(body.visibility) || undefined,
    language: body.language === null ? null : stringParam(body.language),
    inReplyToId: idParam(body.in_reply_to_id, 'in_reply_to_id'),
    location: locationParam(body.location) ?? undefined,
    commentsDisabled: booleanParam(body.comments_disabled),
    hideLikeCount: booleanParam(body.hide_like_count),
    reel: booleanParam(body.reel),
  };
}

export function readPostEdit(body: Record<string, unknown>): EditPostInput {
  const attributes = body.media_attributes ?? body['media_attributes[]'];
  return {
    text: stringParam(body.status),
    spoilerText: stringParam(body.spoiler_text),
    sensitive: booleanParam(body.sensitive),
    language: body.language === null ? null : stringParam(body.language),
    location: locationParam(body.location),
    mediaIds: idsParam(body.media_ids ?? body['media_ids[]'], 'media_ids'),
    mediaAttributes:
      attributes === undefined
        ? undefined
        : listParam(attributes).map((item) => {
            const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
            const id = idParam(record.id, 'media_attributes id');
            if (id === null || id === undefined) throw unprocessable('Validation failed: every media_attributes entry needs an id');
            return { id, description: record.description === undefined ? undefined : (stringParam(record.description) ?? null), focus: parseFocus(stringParam(record.focus)) };
          }),
    commentsDisabled: booleanParam(body.comments_disabled),
    hideLikeCount: booleanParam(body.hide_like_count),
  };
}
