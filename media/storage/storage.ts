// Where media files live. Local disk today; an S3-compatible store later
// implements the same interface, so callers only ever see opaque keys.
import type { Readable } from 'node:stream';

export interface StoredObject {
  body: Readable;
  size: number;
  /** Strong validator: keys embed a content hash, so this never changes for a key. */
  etag: string;
  contentType: string;
}

export interface MediaStorage {
  /** Stores `data` under a new key ending in `.ext` and returns the key (e.g. `ab/cd/<hash>-<random>.jpg`). */
  put(data: Buffer, ext: string): Promise<string>;
  /** Removes the object; a key that is already gone is not an error. */
  delete(key: string): Promise<void>;
  /** The object for serving, or undefined when there is none. */
  get(key: string): Promise<StoredObject | undefined>;
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
};

export function contentTypeFor(ext: string): string {
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Keys we hand out, and nothing else: two shard folders, a hash, a random part, a known extension. */
export const KEY_PATTERN = /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}-[0-9a-f]{8}\.(jpg|png|webp|gif|mp4)$/;

export function isValidKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}
