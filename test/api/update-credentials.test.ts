// PATCH /api/v1/accounts/update_credentials: a real JPEG avatar through masto
// (multipart), the stored file's size, format and stripped metadata, replaced
// files deleted, and the refusals: 413 for too big, 422 for not an image or
// too long a name, with no file left behind.
import test from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { databaseTargets } from '../helpers/databases.ts';
import { newId } from '../../server/db/ids.ts';
import { createUser, getJson, local, startApiServer, type ApiServer } from './helpers.ts';

/** A photo as a phone makes it: EXIF with camera data and an orientation tag. */
function photo(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'TestCam', Model: 'X1', Copyright: 'private' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Bytes as a Blob (a copy: Blob wants a plain ArrayBuffer, a Buffer may sit on a shared pool). */
function blob(parts: (Buffer | string)[], type: string): Blob {
  return new Blob(parts.map((part) => (typeof part === 'string' ? part : new Uint8Array(part))), { type });
}

async function mediaFiles(server: ApiServer): Promise<string[]> {
  try {
    const entries = await readdir(server.config.mediaDir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

async function patchForm(server: ApiServer, token: string, form: FormData): Promise<Response> {
  return fetch(`${server.url}/api/v1/accounts/update_credentials`, { method: 'PATCH', headers: { Authorization: `Bearer ${token}` }, body: form });
}

for (const target of await databaseTargets()) {
  test(`${target.name}: an avatar upload becomes a 400×400 JPEG without EXIF; replacing it deletes the old file`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const input = await photo(1200, 800);
    t.truthy((await sharp(input).metadata()).exif, 'the fixture carries EXIF');

    const updated = await alice.client.v1.accounts.updateCredentials({
      avatar: blob([input], 'image/jpeg'),
      header: blob([await photo(3000, 1200)], 'image/jpeg'),
      displayName: 'Alice A.',
      note: 'Hi @bob and @nobody! See https://example.com/x #Photo\n\nSecond <b>para</b>',
      fieldsAttributes: [{ name: 'Site', value: 'https://alice.example' }, { name: 'Pronouns', value: 'she/her' }],
      locked: true,
    });
    t.is(updated.displayName, 'Alice A.');
    t.true(updated.locked);
    // Others see field values as HTML (links with rel="me"); the owner's source keeps them as typed.
    t.deepEqual(updated.fields.map((f) => [f.name, f.value]), [
      ['Site', '<a href="https://alice.example" target="_blank" rel="me nofollow noopener noreferrer" translate="no">alice.example</a>'],
      ['Pronouns', 'she/her'],
    ]);
    t.deepEqual(updated.source.fields.map((f) => [f.name, f.value]), [['Site', 'https://alice.example'], ['Pronouns', 'she/her']]);
    t.is(updated.source.note, 'Hi @bob and @nobody! See https://example.com/x #Photo\n\nSecond <b>para</b>');
    t.notRegex(updated.note, /<b>/);
    t.regex(updated.note, /^<p>Hi /);
    t.regex(updated.note, /<a href="https:\/\/example.com\/x"/);
    t.regex(updated.note, /href="http:\/\/127.0.0.1:9\/tags\/photo"/);
    t.notRegex(updated.note, /mention">@<span>nobody/); // unknown accounts stay text

    const avatar = await fetch(local(server, updated.avatar));
    t.is(avatar.status, 200);
    t.is(avatar.headers.get('content-type'), 'image/jpeg');
    t.regex(avatar.headers.get('cache-control') ?? '', /immutable/);
    const etag = avatar.headers.get('etag');
    t.truthy(etag);
    const meta = await sharp(Buffer.from(await avatar.arrayBuffer())).metadata();
    t.like(meta, { format: 'jpeg', width: 400, height: 400 });
    t.is(meta.exif, undefined);
    t.is(meta.orientation, undefined);
    // (fetch would add Cache-Control: no-cache to a conditional request, which forbids a 304.)
    const revalidated = await fetch(local(server, updated.avatar), { headers: { 'If-None-Match': etag!, 'Cache-Control': 'max-age=0' } });
    t.is(revalidated.status, 304);

    const header = await sharp(Buffer.from(await (await fetch(local(server, updated.header))).arrayBuffer())).metadata();
    t.like(header, { format: 'jpeg', width: 1500, height: 500 });
    t.is((await mediaFiles(server)).length, 2);

    // A new avatar: the old file goes, the header stays.
    const again = await alice.client.v1.accounts.updateCredentials({ avatar: blob([await photo(500, 500)], 'image/jpeg') });
    t.not(again.avatar, updated.avatar);
    t.is((await fetch(local(server, updated.avatar))).status, 404);
    t.is((await mediaFiles(server)).length, 2);

    // DELETE /api/v1/profile/avatar (Mastodon 4.2): back to the default image, file gone.
    const removed = await fetch(`${server.url}/api/v1/profile/avatar`, { method: 'DELETE', headers: { Authorization: `Bearer ${alice.token}` } });
    t.is(removed.status, 200);
    t.regex(((await removed.json()) as { avatar: string }).avatar, /\/media\/default\/avatar\.png$/);
    t.is((await mediaFiles(server)).length, 1);
  });

  test(`${target.name}: mentions of known accounts link to their profiles`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    await createUser(server, 'bob');
    const now = Date.now();
    await server.db('accounts').insert({ id: newId(), username: 'carol', domain: 'remote.example', uri: 'https://remote.example/users/carol', url: 'https://remote.example/@carol', created_at: now, updated_at: now });
    const updated = await alice.client.v1.accounts.updateCredentials({ note: 'with @Bob and @carol@remote.example, not @dave@remote.example' });
    t.regex(updated.note, /<a href="http:\/\/127.0.0.1:9\/@bob" class="u-url mention">@<span>bob<\/span><\/a>/);
    t.regex(updated.note, /<a href="https:\/\/remote.example\/@carol" class="u-url mention">@<span>carol<\/span><\/a>/);
    t.regex(updated.note, /not @dave@remote.example<\/p>$/);
  });

  test(`${target.name}: an oversized avatar is a 413 and changes nothing`, async (t) => {
    const server = await startApiServer(t, target, { VIEWFINDER_MAX_IMAGE_BYTES: '2048' });
    const alice = await createUser(server, 'alice');
    const form = new FormData();
    form.set('display_name', 'Changed');
    form.set('avatar', blob([await photo(1000, 1000), Buffer.alloc(4096)], 'image/jpeg'), 'big.jpg');
    const response = await patchForm(server, alice.token, form);
    t.is(response.status, 413);
    t.regex(((await response.json()) as { error: string }).error, /2048 bytes/);
    t.deepEqual(await mediaFiles(server), []);
    t.is((await getJson(server, '/api/v1/accounts/verify_credentials', alice.token)).body.display_name, '');
  });

  test(`${target.name}: a non-image avatar is a 422 with no file left behind`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const form = new FormData();
    form.set('header', blob([await photo(1500, 500)], 'image/jpeg'), 'ok.jpg');
    form.set('avatar', blob(['<svg xmlns="http://www.w3.org/2000/svg"/>'], 'image/png'), 'fake.png');
    const response = await patchForm(server, alice.token, form);
    t.is(response.status, 422);
    t.deepEqual(await mediaFiles(server), []);
    const me = (await getJson(server, '/api/v1/accounts/verify_credentials', alice.token)).body;
    t.regex(me.header, /\/media\/default\/header\.png$/);

    // A good avatar processed before a bad header is removed again too.
    const second = new FormData();
    second.set('avatar', blob([await photo(600, 600)], 'image/jpeg'), 'ok.jpg');
    second.set('header', blob(['just text'], 'image/jpeg'), 'fake.jpg');
    t.is((await patchForm(server, alice.token, second)).status, 422);
    t.deepEqual(await mediaFiles(server), []);
    t.regex((await getJson(server, '/api/v1/accounts/verify_credentials', alice.token)).body.avatar, /\/media\/default\/avatar\.png$/);
  });

  test(`${target.name}: too long a display name or note, or too many fields, is a 422 naming them`, async (t) => {
    const server = await startApiServer(t, target);
    const alice = await createUser(server, 'alice');
    const response = await fetch(`${server.url}/api/v1/accounts/update_credentials`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ display_name: 'x'.repeat(31), note: 'y'.repeat(501), fields_attributes: Array.from({ length: 5 }, (_, i) => ({ name: `n${i}`, value: 'v' })) }),
    });
    t.is(response.status, 422);
    const body = (await response.json()) as { error: string; details: Record<string, unknown> };
    t.deepEqual(Object.keys(body.details).sort(), ['display_name', 'fields', 'note']);
    // 30 characters (emoji count as one each) is fine, from an urlencoded form too.
    const ok = await fetch(`${server.url}/api/v1/accounts/update_credentials`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${alice.token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ display_name: '📷'.repeat(30), 'fields_attributes[0][name]': 'A', 'fields_attributes[0][value]': 'B', 'source[privacy]': 'unlisted', bot: 'true' }),
    });
    t.is(ok.status, 200);
    const me = (await ok.json()) as { display_name: string; fields: { name: string }[]; bot: boolean; source: { privacy: string } };
    t.is(me.display_name, '📷'.repeat(30));
    t.deepEqual(me.fields.map((f) => f.name), ['A']);
    t.true(me.bot);
    t.is(me.source.privacy, 'unlisted');
    // Without a token: 401.
    t.is((await fetch(`${server.url}/api/v1/accounts/update_credentials`, { method: 'PATCH' })).status, 401);
  });
}
