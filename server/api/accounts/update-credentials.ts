// PATCH /api/v1/accounts/update_credentials input, from JSON, urlencoded or
// multipart bodies alike, in Mastodon's parameter names.
import type Koa from 'koa';
import type { Config } from '../../../config/load.ts';
import type { ProfileUpdate } from '../../services/accounts/profile.service.ts';
import { isMultipart, nestFormFields, parseMultipart } from '../../http/multipart.ts';
import { booleanParam, fieldsParam, stringParam } from './params.ts';

export async function readProfileUpdate(ctx: Koa.Context, config: Pick<Config, 'uploads'>): Promise<ProfileUpdate> {
  let body: Record<string, unknown>;
  let files: Partial<Record<'avatar' | 'header', Buffer>> = {};
  if (isMultipart(ctx)) {
    const parsed = await parseMultipart(ctx, { fileFields: ['avatar', 'header'], maxFileBytes: config.uploads.maxImageBytes });
    body = nestFormFields(parsed.fields);
    files = { avatar: parsed.files.avatar?.buffer, header: parsed.files.header?.buffer };
  } else {
    const raw = (ctx.request as { body?: unknown }).body;
    body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  }
  const source = (typeof body.source === 'object' && body.source !== null ? body.source : {}) as Record<string, unknown>;

  const update: ProfileUpdate = {
    displayName: stringParam(body.display_name),
    note: stringParam(body.note),
    locked: booleanParam(body.locked),
    bot: booleanParam(body.bot),
    discoverable: booleanParam(body.discoverable),
    hideCollections: booleanParam(body.hide_collections),
    fields: fieldsParam(body.fields_attributes),
    source: {
      privacy: stringParam(source.privacy),
      sensitive: booleanParam(source.sensitive),
      language: source.language === null ? null : stringParam(source.language),
      keepCameraInfo: booleanParam(source.keep_camera_info),
    },
  };
  // An empty file part is what a form sends when nothing was chosen: no change.
  if (files.avatar?.length) update.avatar = files.avatar;
  if (files.header?.length) update.header = files.header;
  return update;
}
