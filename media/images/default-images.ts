// The images shown for accounts without an avatar or header. Mastodon apps
// expect an image URL always, so we serve neutral placeholders, drawn once per
// process on first request (no work at import time) and kept in memory.
import sharp from 'sharp';
import type { ProfileImageKind } from './profile-images.ts';

const AVATAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">
<rect width="400" height="400" fill="#c9ced6"/>
<circle cx="200" cy="160" r="72" fill="#eef0f3"/>
<path d="M64 400c0-80 61-132 136-132s136 52 136 132z" fill="#eef0f3"/>
</svg>`;

const HEADER_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="1500" height="500"><rect width="1500" height="500" fill="#5b6472"/></svg>`;

export function createDefaultImages(): { png(kind: ProfileImageKind): Promise<Buffer> } {
  const cache = new Map<ProfileImageKind, Promise<Buffer>>();
  return {
    png(kind) {
      let image = cache.get(kind);
      if (!image) {
        image = sharp(Buffer.from(kind === 'avatar' ? AVATAR_SVG : HEADER_SVG)).png({ compressionLevel: 9 }).toBuffer();
        // A failed render is not cached, so the next request tries again.
        image.catch(() => cache.delete(kind));
        cache.set(kind, image);
      }
      return image;
    },
  };
}
