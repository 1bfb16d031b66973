// Where media files live. Local disk today; an S3-compatible store later
// implements the same interface, so callers only ever see opaque keys.
//
// Two kinds of key share one shape. Public keys (`ab/cd/<hash>-<random>.jpg`)
// hold processed media and are served at /media/<key>. Private keys
// (`uploads/ab/cd/<hash>-<random>.heic`) hold raw uploads awaiting
// processing: they may carry GPS EXIF, so they are read back by the media
// jobs and never served.
import type { Readable } from 'node:stream';

/** What is known about an object without reading it (S3: HeadObject). */
export interface ObjectInfo {
  /** The whole object's size in bytes, also when a range of it was asked for. */
  size: number;
  /** Strong validator: keys embed a content hash, so this never changes for a key. */
  etag: string;
  contentType: string;
}

export interface StoredObject extends ObjectInfo {
  /** The object's bytes, or only the asked range's. */
  body: Readable;
}

/** Inclusive byte positions, as in HTTP's `Range: bytes=start-end` (which S3's GetObject takes as is). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  /** A raw upload awaiting processing: stored under an `uploads/…` key that is never served. */
  private?: boolean;
}

export interface MediaStorage {
  /**
   * Stores `data` under a new key ending in `.ext` and returns the key:
   * `ab/cd/<hash>-<random>.jpg`, or `uploads/ab/cd/<hash>-<random>.heic` when private.
   * Public keys take PUBLIC_EXTENSIONS, private ones PRIVATE_EXTENSIONS.
   */
  put(data: Buffer, ext: string, options?: PutOptions): Promise<string>;
  /** The whole object in memory (for processing a raw upload), or undefined when there is none. */
  read(key: string): Promise<Buffer | undefined>;
  /** Removes the object, public or private; a key that is already gone is not an error. */
  delete(key: string): Promise<void>;
  /** Size, validator and type without opening the bytes, or undefined when there is none. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /**
   * The object for serving, or undefined when there is none. With `range`, the
   * body holds only those bytes: `start` must lie within the object (else a
   * RangeError), an `end` past the object's last byte stops at it.
   */
  get(key: string, range?: ByteRange): Promise<StoredObject | undefined>;
}

/** Extensions of processed media, which may be served. */
export const PUBLIC_EXTENSIONS = ['jpg', 'png', 'webp', 'gif', 'avif', 'mp4'] as const;
/** Extensions a raw upload may have, besides the public ones. */
export const PRIVATE_EXTENSIONS = [...PUBLIC_EXTENSIONS, 'heic', 'mov', 'webm'] as const;

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  mp4: 'video/mp4',
  heic: 'image/heic',
  mov: 'video/quicktime',
  webm: 'video/webm',
};

export function contentTypeFor(ext: string): string {
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Keys we serve, and nothing else: two shard folders, a hash, a random part, a public extension. */
export const KEY_PATTERN = /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}-[0-9a-f]{8}\.(jpg|png|webp|gif|avif|mp4)$/;
/** Keys of raw uploads: the same shape under `uploads/`, with any upload extension. */
export const PRIVATE_KEY_PATTERN = /^uploads\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}-[0-9a-f]{8}\.(jpg|png|webp|gif|avif|mp4|heic|mov|webm)$/;

/** A key that may be served over HTTP. */
export function isPublicKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function isPrivateKey(key: string): boolean {
  return PRIVATE_KEY_PATTERN.test(key);
}

/** Any key we hand out, public or private. */
export function isValidKey(key: string): boolean {
  return isPublicKey(key) || isPrivateKey(key);
}
