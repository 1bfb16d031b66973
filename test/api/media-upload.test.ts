// Uploading a photo through the API, processed by the job runner as in
// `serve`: the phone photo (EXIF rotation, GPS) comes back upright, stripped
// of every tag, at the display sizes, with a blurhash that decodes, and the
// raw upload (which held the GPS position) is gone from storage.
import test from 'ava';
import sharp from 'sharp';
import { decode, isBlurhashValid } from 'blurhash';
import exifReader from 'exif-reader';
import { databaseTargets } from '../helpers/databases.ts';
import { rotatedJpegWithGps, solidJpeg, uploadFile } from '../helpers/media-fixtures.ts';
import { createUser, getJson, local, startApiServer } from './helpers.ts';
import { mediaFiles, waitUntilProcessed } from './media-helpers.ts';

async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [...data.subarray(i, i + 3)];
}

for (const target of await databaseTargets()) {
  test(`${target.name}: a phone photo with EXIF rotation and GPS is stored upright, stripped, in every size`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const upload = await uploadFile(server.url, alice.token, await rotatedJpegWithGps(2000, 1500), { type: 'image/jpeg', description: 'A grey wall', focus: '0.5,0.5' });
    // 200 when done within ~2 s (the usual case), 202 with url null when the machine is busy.
    t.true(upload.status === 200 || upload.status === 202, `status ${upload.status}: ${JSON.stringify(upload.body)}`);
    if (upload.status === 202) t.is(upload.body.url, null);
    const { status, body: media } = upload.status === 200 ? upload : await waitUntilProcessed(server, alice.token, upload.body.id);
    t.is(status, 200);
    t.is(media.type, 'image');
    t.is(media.description, 'A grey wall');
    t.deepEqual(media.meta.focus, { x: 0.5, y: 0.5 });
    t.deepEqual([media.meta.original.width, media.meta.original.height], [1500, 2000], 'portrait once upright');
    t.is(media.meta.original.size, '1500x2000');
    t.deepEqual([media.meta.small.width, media.meta.small.height], [480, 640]);
    t.deepEqual([media.meta.large.width, media.meta.large.height], [1080, 1440]);
    t.true(isBlurhashValid(media.blurhash).result);
    t.is(decode(media.blurhash, 8, 8).length, 8 * 8 * 4);

    const expected: Record<string, [number, number, string]> = {
      [media.url]: [1500, 2000, 'jpeg'],
      [media.preview_url]: [480, 640, 'jpeg'],
      [media.variants.large.jpeg]: [1080, 1440, 'jpeg'],
      [media.variants.large.webp]: [1080, 1440, 'webp'],
      [media.variants.small.webp]: [480, 640, 'webp'],
      [media.variants.thumbnail.jpeg]: [320, 320, 'jpeg'],
    };
    for (const [url, [width, height, format]] of Object.entries(expected)) {
      const response = await fetch(local(server, url));
      t.is(response.status, 200, url);
      t.regex(response.headers.get('cache-control') ?? '', /immutable/);
      const bytes = Buffer.from(await response.arrayBuffer());
      const metadata = await sharp(bytes).metadata();
      t.is(String(metadata.format), format);
      t.deepEqual([metadata.width, metadata.height], [width, height], url);
      t.is(metadata.exif, undefined, 'no EXIF, so no GPS');
      t.is(metadata.orientation, undefined);
      t.false(bytes.includes(Buffer.from('Acme')), 'no camera tags');
    }
    // Stored top-left, turned 90° clockwise: the red corner is now top-right.
    const original = Buffer.from(await (await fetch(local(server, media.url))).arrayBuffer());
    const [r, g, b] = await pixelAt(original, 1500 - 20, 20);
    t.true(r! > 200 && g! < 60 && b! < 60, `top-right pixel ${[r, g, b]}`);
    t.true((await pixelAt(original, 20, 20))[0]! < 160, 'top-left is grey');

    const files = await mediaFiles(server);
    t.false(files.some((file) => file.startsWith('uploads/')), 'the raw upload with its GPS tags is removed');
    const row = await server.db('media').where({ id: Number(media.id) }).first();
    t.is(row.upload_key, null);
    t.is(row.state, 'ready');
  });

  test(`${target.name}: alt text and focus can be changed before posting; others cannot see or change the upload`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const bob = await createUser(server, 'bob');
    const upload = await uploadFile(server.url, alice.token, await solidJpeg(), { type: 'image/jpeg' });
    const id = upload.body.id;
    const put = await fetch(`${server.url}/api/v1/media/${id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ description: 'Blue sky', focus: '-0.5,0.25' }),
    });
    t.is(put.status === 206 ? 206 : 200, put.status);
    const changed = (await put.json()) as any;
    t.is(changed.description, 'Blue sky');
    t.deepEqual(changed.meta.focus, { x: -0.5, y: 0.25 });

    t.is((await getJson(server, `/api/v1/media/${id}`, bob.token)).status, 404);
    const bobPut = await fetch(`${server.url}/api/v1/media/${id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${bob.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ description: 'mine now' }),
    });
    t.is(bobPut.status, 404);
    const badFocus = await fetch(`${server.url}/api/v1/media/${id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ focus: '3,0' }),
    });
    t.is(badFocus.status, 422);
    t.regex(((await badFocus.json()) as any).error, /focus/);

    const removed = await fetch(`${server.url}/api/v1/media/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${alice.token}` } });
    t.is(removed.status, 200);
    t.is((await getJson(server, `/api/v1/media/${id}`, alice.token)).status, 404);
  });

  test(`${target.name}: a photographer who opts in keeps camera make and model in their photos, never the location`, async (t) => {
    const server = await startApiServer(t, target, {}, { jobs: true });
    const alice = await createUser(server, 'alice');
    const settings = await fetch(`${server.url}/api/v1/accounts/update_credentials`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ source: { keep_camera_info: true } }),
    });
    t.is(((await settings.json()) as any).source.keep_camera_info, true);
    const upload = await uploadFile(server.url, alice.token, await rotatedJpegWithGps(800, 600), { type: 'image/jpeg' });
    const { body: media } = upload.status === 200 ? upload : await waitUntilProcessed(server, alice.token, upload.body.id);
    const original = Buffer.from(await (await fetch(local(server, media.url))).arrayBuffer());
    const exif = exifReader((await sharp(original).metadata()).exif!);
    t.is(exif.Image?.Make, 'Acme');
    t.is(exif.Image?.Model, 'Test');
    t.is(exif.GPSInfo, undefined, 'the location never stays');
  });
}
