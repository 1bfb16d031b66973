// multipart/form-data bodies (what apps send when a profile edit carries an
// avatar or header), parsed with busboy: text fields by name, and the files
// we expect read into memory up to a size limit. Anything over it is a 413
// once the body has been drained (so the client sees the answer, not a reset).
import busboy from 'busboy';
import type Koa from 'koa';
import { AppError, badRequest, payloadTooLarge } from '../errors.ts';

export interface UploadedFile {
  buffer: Buffer;
  filename: string;
  mimeType: string;
}

export interface MultipartBody {
  /** Field name → value (repeated names, e.g. `id[]`, keep every value). */
  fields: Record<string, string | string[]>;
  files: Record<string, UploadedFile>;
}

export interface MultipartLimits {
  /** Names of the file fields we read; other files are skipped. */
  fileFields: readonly string[];
  maxFileBytes: number;
  maxFieldBytes?: number;
  maxFields?: number;
}

export function isMultipart(ctx: Koa.Context): boolean {
  return ctx.is('multipart/form-data') === 'multipart/form-data';
}

export function parseMultipart(ctx: Koa.Context, limits: MultipartLimits): Promise<MultipartBody> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: ctx.req.headers,
        limits: {
          fileSize: limits.maxFileBytes,
          files: limits.fileFields.length,
          fields: limits.maxFields ?? 100,
          fieldSize: limits.maxFieldBytes ?? 64 * 1024,
        },
      });
    } catch (cause) {
      reject(badRequest('Malformed multipart/form-data request', cause));
      return;
    }
    const fields: MultipartBody['fields'] = {};
    const files: MultipartBody['files'] = {};
    let problem: AppError | null = null;

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) problem ??= payloadTooLarge(`Field ${name} is too long`);
      const existing = fields[name];
      if (existing === undefined) fields[name] = value;
      else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
    });
    parser.on('file', (name, stream, info) => {
      if (!limits.fileFields.includes(name)) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        problem ??= payloadTooLarge(`The ${name} is larger than the limit of ${limits.maxFileBytes} bytes`);
      });
      stream.on('end', () => {
        if (!(stream as { truncated?: boolean }).truncated) {
          files[name] = { buffer: Buffer.concat(chunks), filename: info.filename ?? '', mimeType: info.mimeType };
        }
      });
    });
    parser.on('filesLimit', () => {
      problem ??= new AppError(422, `Too many files: only ${limits.fileFields.join(', ')} may be sent`);
    });
    parser.on('error', (cause) => reject(problem ?? badRequest('Malformed multipart/form-data request', cause)));
    parser.on('close', () => (problem ? reject(problem) : resolve({ fields, files })));
    // A client that goes away mid-upload never ends the parser: give up then.
    ctx.req.once('close', () => {
      if (!ctx.req.complete) reject(badRequest('The request body was cut off'));
    });
    ctx.req.pipe(parser);
  });
}

/**
 * Flat form keys as apps send them (`fields_attributes[0][name]`,
 * `source[privacy]`) → nested objects, like Rails does. Numeric keys stay
 * object keys; callers that expect a list read the object's values in order.
 */
export function nestFormFields(flat: Record<string, string | string[]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(flat)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
    if (!match) continue;
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      if (path[i + 1] === '') break; // `id[]`: a list under `key`
      const next = node[key];
      node = (typeof next === 'object' && next !== null && !Array.isArray(next) ? next : (node[key] = {})) as Record<string, unknown>;
    }
    const last = path.at(-1) === '' ? path[path.length - 2]! : path.at(-1)!;
    if (path.at(-1) === '') {
      const existing = node[last];
      node[last] = [...(Array.isArray(existing) ? existing : []), ...(Array.isArray(value) ? value : [value])];
    } else {
      node[last] = value;
    }
  }
  return root;
}
