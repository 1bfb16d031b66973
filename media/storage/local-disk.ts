// Media on the local disk under config.mediaDir, sharded in two levels of
// folders so no directory grows to millions of entries. A key is the content
// hash (dedupe-friendly, a natural ETag) plus a random part, so two uploads
// of the same bytes stay independent and deleting one never breaks the other.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { contentTypeFor, isValidKey, type MediaStorage } from './storage.ts';

export interface LocalDiskStorage extends MediaStorage {
  /** The file behind a key (tests, and future tools such as a media cleanup). */
  pathOf(key: string): string;
}

export function createLocalDiskStorage(root: string): LocalDiskStorage {
  const pathOf = (key: string) => {
    if (!isValidKey(key)) throw new Error(`Not a media key: ${JSON.stringify(key)}`);
    return join(root, key);
  };
  return {
    pathOf,

    async put(data, ext) {
      if (!/^[a-z0-9]{2,4}$/.test(ext)) throw new Error(`Bad media file extension: ${JSON.stringify(ext)}`);
      const hash = createHash('sha256').update(data).digest('hex').slice(0, 32);
      const key = `${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}-${randomBytes(4).toString('hex')}.${ext}`;
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename: a reader never sees a half-written file.
      const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, data, { flag: 'wx' });
      await rename(temporary, path);
      return key;
    },

    async delete(key) {
      if (!isValidKey(key)) return;
      try {
        await unlink(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },

    async get(key) {
      if (!isValidKey(key)) return undefined;
      const path = pathOf(key);
      try {
        const info = await stat(path);
        if (!info.isFile()) return undefined;
        const ext = key.slice(key.lastIndexOf('.') + 1);
        const hash = key.slice(6, key.lastIndexOf('.'));
        return { body: createReadStream(path), size: info.size, etag: `"${hash}"`, contentType: contentTypeFor(ext) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
}
