// Media on the local disk under config.mediaDir, sharded in two levels of
// folders so no directory grows to millions of entries. A key is the content
// hash (dedupe-friendly, a natural ETag) plus a random part, so two uploads
// of the same bytes stay independent and deleting one never breaks the other.
// Raw uploads live under `uploads/` in the same layout.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  contentTypeFor,
  isValidKey,
  PRIVATE_EXTENSIONS,
  PUBLIC_EXTENSIONS,
  type MediaStorage,
  type ObjectInfo,
} from './storage.ts';

export interface LocalDiskStorage extends MediaStorage {
  /** The file behind a key (tests, and future tools such as a media cleanup). */
  pathOf(key: string): string;
}

const PRIVATE_PREFIX = 'uploads/';

export function createLocalDiskStorage(root: string): LocalDiskStorage {
  const pathOf = (key: string) => {
    if (!isValidKey(key)) throw new Error(`Not a media key: ${JSON.stringify(key)}`);
    return join(root, key);
  };
  return {
    pathOf,

    async put(data, ext, options = {}) {
      const allowed: readonly string[] = options.private ? PRIVATE_EXTENSIONS : PUBLIC_EXTENSIONS;
      if (!allowed.includes(ext)) {
        throw new Error(`Bad ${options.private ? 'upload' : 'media'} file extension: ${JSON.stringify(ext)} (allowed: ${allowed.join(', ')})`);
      }
      const hash = createHash('sha256').update(data).digest('hex').slice(0, 32);
      const prefix = options.private ? PRIVATE_PREFIX : '';
      const key = `${prefix}${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}-${randomBytes(4).toString('hex')}.${ext}`;
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename: a reader never sees a half-written file.
      const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, data, { flag: 'wx' });
      await rename(temporary, path);
      return key;
    },

    async read(key) {
      if (!isValidKey(key)) return undefined;
      try {
        return await readFile(pathOf(key));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async delete(key) {
      if (!isValidKey(key)) return;
      try {
        await unlink(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },

    async stat(key) {
      if (!isValidKey(key)) return undefined;
      try {
        const info = await stat(pathOf(key));
        return info.isFile() ? describe(key, info.size) : undefined;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async get(key, range) {
      if (!isValidKey(key)) return undefined;
      if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.end >= range.start)) {
        throw new RangeError(`Not a byte range: ${JSON.stringify(range)}`);
      }
      // Open first, then stat the open file: the size and the bytes then
      // come from the same file even if the key is deleted meanwhile.
      let handle;
      try {
        handle = await open(pathOf(key), 'r');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      try {
        const info = await handle.stat();
        if (!info.isFile()) {
          await handle.close();
          return undefined;
        }
        if (range && range.start >= info.size) {
          throw new RangeError(`Byte range ${range.start}-${range.end} starts past the end of ${key} (${info.size} bytes)`);
        }
        const end = range ? Math.min(range.end, info.size - 1) : undefined;
        // The stream closes the file when it ends or is destroyed.
        const body = handle.createReadStream({ start: range?.start, end });
        return { ...describe(key, info.size), body };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },
  };
}

function describe(key: string, size: number): ObjectInfo {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return { size, etag: `"${name.slice(0, dot)}"`, contentType: contentTypeFor(name.slice(dot + 1)) };
}

/** A key whose file is not there (or, for a hand-made tree, is a folder). */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EISDIR';
}
