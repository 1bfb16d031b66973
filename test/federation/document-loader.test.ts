// Our Fedify document loaders against real HTTP servers on 127.0.0.1: an actor
// loaded and cached, preloaded contexts answered without a fetch, size and
// time limits, the private-address rule taken from config, HTTP errors as
// FetchErrors with their status, signed fetches that Fedify's own verifier
// accepts (draft-cavage, then RFC 9421 after a 401, each redirect hop signed
// for itself), and a federation built with these loaders and without Fedify's
// allowPrivateAddress still looking up and delivering to loopback peers.
import test, { type ExecutionContext } from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFederation, generateCryptoKeyPair, MemoryKvStore, verifyRequest, type KeyCache } from '@fedify/fedify';
import { FetchError, preloadedContexts } from '@fedify/fedify/runtime';
import { CryptographicKey, Follow, Person } from '@fedify/vocab';
import { RemoteFetchError } from '../../server/net/safe-fetch.ts';
import {
  createLoaderFactories,
  DOCUMENT_ACCEPT,
  DOCUMENT_FETCH_LIMITS,
  type DocumentLoaderDeps,
} from '../../federation/document-loader.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

/** A real server on an ephemeral loopback port; `requests` lists what it was asked, bodies read. */
async function serve(t: ExecutionContext, handler: Handler) {
  const requests: IncomingMessage[] = [];
  const server = createServer(async (req, res) => {
    requests.push(req);
    let body = '';
    for await (const chunk of req) body += chunk;
    await handler(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, requests };
}

const PUBLIC_URL = 'http://viewfinder.test';

function loaders(options: { allowPrivateAddresses?: boolean; limits?: DocumentLoaderDeps['limits'] } = {}) {
  const kv = new MemoryKvStore();
  const config = { publicUrl: PUBLIC_URL, allowPrivateAddresses: options.allowPrivateAddresses ?? true };
  return { kv, config, ...createLoaderFactories({ config, kv, limits: options.limits }) };
}

function actorJson(id: string) {
  return {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id,
    type: 'Person',
    preferredUsername: 'alice',
    name: 'Alice',
    inbox: `${id}/inbox`,
  };
}

function sendJson(res: ServerResponse, value: unknown, type = 'application/activity+json') {
  res.writeHead(200, { 'Content-Type': type }).end(JSON.stringify(value));
}

/** The fetch a Node request was, as Fedify's verifier takes it. */
function asRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  return new Request(new URL(req.url!, `http://${req.headers.host}`), { method: req.method, headers });
}

async function fetchError(t: ExecutionContext, promise: Promise<unknown>): Promise<FetchError> {
  const error = await t.throwsAsync(promise, { instanceOf: FetchError });
  return error!;
}

test('an actor is loaded with our Accept and User-Agent, from its final URL after a redirect, and cached: the second load does not reach the server', async (t) => {
  const { base, requests } = await serve(t, (req, res) => {
    if (req.url === '/@alice') res.writeHead(301, { Location: '/users/alice' }).end();
    else sendJson(res, actorJson(`${base}/users/alice`), 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"');
  });
  const { documentLoaderFactory } = loaders();
  const load = documentLoaderFactory();
  const first = await load(`${base}/@alice`);
  t.is(first.documentUrl, `${base}/users/alice`);
  t.like(first.document, { id: `${base}/users/alice`, type: 'Person', name: 'Alice' });
  t.is(requests.length, 2, 'the redirect and the actor');
  t.is(requests[1]!.headers.accept, DOCUMENT_ACCEPT);
  t.is(requests[1]!.headers['user-agent'], `Viewfinder/0.1.0 (+${PUBLIC_URL})`);

  const second = await documentLoaderFactory()(`${base}/@alice`);
  t.deepEqual(second, first);
  t.is(requests.length, 2, 'answered from the KvStore');
});

test('preloaded contexts are answered without a fetch, even with private addresses refused', async (t) => {
  const { contextLoaderFactory, documentLoaderFactory } = loaders({ allowPrivateAddresses: false });
  for (const url of ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1']) {
    const remote = await contextLoaderFactory()(url);
    t.is(remote.document, preloadedContexts[url]);
    t.is(remote.documentUrl, url);
    t.is((await documentLoaderFactory()(url)).document, preloadedContexts[url]);
  }
});

test('a document over the size limit (1 MiB by default) is refused with a FetchError without a response', async (t) => {
  t.is(DOCUMENT_FETCH_LIMITS.maxBytes, 1024 * 1024);
  const { base } = await serve(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/activity+json' });
    res.end(JSON.stringify({ ...actorJson(`${base}/big`), summary: 'x'.repeat(2 * 1024 * 1024) }));
  });
  const error = await fetchError(t, loaders().documentLoaderFactory()(`${base}/big`));
  t.is(error.response, undefined);
  t.true(error.cause instanceof RemoteFetchError && error.cause.reason === 'too-large', error.message);
});

test('a server slower than the deadline is given up on with a FetchError', async (t) => {
  t.is(DOCUMENT_FETCH_LIMITS.timeoutMs, 10_000);
  const { base } = await serve(t, () => {}); // never answers
  const started = Date.now();
  const error = await fetchError(t, loaders({ limits: { timeoutMs: 300 } }).documentLoaderFactory()(`${base}/slow`));
  const elapsed = Date.now() - started;
  t.true(elapsed >= 250 && elapsed < 3000, `gave up after ${elapsed} ms`);
  t.true(error.cause instanceof RemoteFetchError && error.cause.reason === 'timeout', error.message);
});

test('a private address is refused before any connection when private addresses are not allowed, and loaded when they are', async (t) => {
  const { base, requests } = await serve(t, (req, res) => sendJson(res, actorJson(`${base}${req.url}`)));
  const identity = { keyId: new URL(`${PUBLIC_URL}/users/bob#main-key`), privateKey: (await generateCryptoKeyPair('RSASSA-PKCS1-v1_5')).privateKey };

  const refused = loaders({ allowPrivateAddresses: false });
  for (const load of [refused.documentLoaderFactory(), refused.contextLoaderFactory(), refused.authenticatedDocumentLoaderFactory(identity)]) {
    const error = await fetchError(t, load(`${base}/users/alice`));
    t.true(error.cause instanceof RemoteFetchError && error.cause.reason === 'private-address', error.message);
    t.is(error.url.href, `${base}/users/alice`);
  }
  t.is(requests.length, 0, 'nothing reached the server');

  const allowed = loaders({ allowPrivateAddresses: true });
  t.like((await allowed.documentLoaderFactory()(`${base}/users/alice`)).document, { type: 'Person' });
  t.like((await allowed.authenticatedDocumentLoaderFactory(identity)(`${base}/users/carol`)).document, { type: 'Person' });
  t.is(requests.length, 2);
});

test('an HTTP error is a FetchError whose response carries the status (404, 410), and an answer that is not JSON is a FetchError too', async (t) => {
  const { base } = await serve(t, (req, res) => {
    if (req.url === '/missing') res.writeHead(404).end('not here');
    else if (req.url === '/gone') res.writeHead(410).end();
    else res.writeHead(200, { 'Content-Type': 'application/activity+json' }).end('{not json');
  });
  const load = loaders().documentLoaderFactory();
  const missing = await fetchError(t, load(`${base}/missing`));
  t.is(missing.response?.status, 404);
  t.is(missing.url.href, `${base}/missing`);
  t.is((await fetchError(t, load(`${base}/gone`))).response?.status, 410);
  t.is((await fetchError(t, load(`${base}/garbage`))).response, undefined);
});

/** A key cache that knows only the signer's key: verification uses exactly that public key. */
function keyCacheOf(key: CryptographicKey): KeyCache {
  return {
    get: async (keyId) => (keyId.href === key.id?.href ? key : null),
    set: async () => {},
  };
}

async function signer() {
  const pair = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
  const actorId = new URL(`${PUBLIC_URL}/actor`);
  const keyId = new URL(`${PUBLIC_URL}/actor#main-key`);
  return { identity: { keyId, privateKey: pair.privateKey }, keyCache: keyCacheOf(new CryptographicKey({ id: keyId, owner: actorId, publicKey: pair.publicKey })) };
}

test('the authenticated loader signs draft-cavage over method, path, Host, Date and Accept, which Fedify verifies with the signer\'s key; not cached', async (t) => {
  const { identity, keyCache } = await signer();
  const verified: (string | null)[] = [];
  const { base, requests } = await serve(t, async (req, res) => {
    const key = await verifyRequest(asRequest(req), { keyCache, spec: 'draft-cavage-http-signatures-12' });
    verified.push(key?.id?.href ?? null);
    if (!key) return void res.writeHead(401).end();
    sendJson(res, actorJson(`${base}${req.url}`));
  });
  const load = loaders().authenticatedDocumentLoaderFactory(identity);
  t.like((await load(`${base}/users/alice`)).document, { type: 'Person' });
  t.deepEqual(verified, [identity.keyId.href]);
  const signature = String(requests[0]!.headers.signature);
  t.true(signature.includes(`keyId="${identity.keyId.href}"`), signature);
  t.regex(signature, /headers="\(request-target\) accept date host"/);
  t.is(requests[0]!.headers.accept, DOCUMENT_ACCEPT);

  await load(`${base}/users/alice`);
  t.is(requests.length, 2, 'a signed fetch is not answered from the cache: what a server shows depends on who asks');

  // The same key id signed with another private key: the verifier is not fooled (both knocks refused).
  const impostor = { keyId: identity.keyId, privateKey: (await generateCryptoKeyPair('RSASSA-PKCS1-v1_5')).privateKey };
  const error = await fetchError(t, loaders().authenticatedDocumentLoaderFactory(impostor)(`${base}/users/alice`));
  t.is(error.response?.status, 401);
  t.deepEqual(verified.slice(2), [null, null]);
});

test('a 401 to the draft-cavage signature gets one retry signed RFC 9421, which Fedify verifies; a second 401 is the FetchError', async (t) => {
  const { identity, keyCache } = await signer();
  const { base, requests } = await serve(t, async (req, res) => {
    // This server knows RFC 9421 only.
    const key = req.headers['signature-input'] ? await verifyRequest(asRequest(req), { keyCache, spec: 'rfc9421' }) : null;
    if (!key || req.url === '/never') return void res.writeHead(401).end();
    sendJson(res, actorJson(`${base}${req.url}`));
  });
  const load = loaders().authenticatedDocumentLoaderFactory(identity);
  t.like((await load(`${base}/users/alice`)).document, { type: 'Person' });
  t.is(requests.length, 2);
  t.is(requests[0]!.headers['signature-input'], undefined, 'draft-cavage first');
  t.regex(String(requests[1]!.headers['signature-input']), /"@method" "@target-uri" "@authority" "host" "date"/);

  const error = await fetchError(t, load(`${base}/never`));
  t.is(error.response?.status, 401);
  t.is(requests.length, 4, 'one retry, no more');
});

test('each redirect hop of a signed fetch carries a signature made for that hop, and every one verifies', async (t) => {
  const { identity, keyCache } = await signer();
  const verified: string[] = [];
  const { base } = await serve(t, async (req, res) => {
    const key = await verifyRequest(asRequest(req), { keyCache });
    if (!key) return void res.writeHead(401).end();
    verified.push(req.url!);
    if (req.url === '/@alice') res.writeHead(302, { Location: '/users/alice' }).end();
    else sendJson(res, actorJson(`${base}${req.url}`));
  });
  const remote = await loaders().authenticatedDocumentLoaderFactory(identity)(`${base}/@alice`);
  t.is(remote.documentUrl, `${base}/users/alice`);
  t.deepEqual(verified, ['/@alice', '/users/alice']);
});

test('a federation built with these loaders and without allowPrivateAddress looks up and delivers to loopback peers when config allows private addresses, and refuses lookups when not', async (t) => {
  const inboxPosts: string[] = [];
  const { base, requests } = await serve(t, (req, res, body) => {
    if (req.method === 'POST') {
      inboxPosts.push(body);
      return void res.writeHead(202).end();
    }
    sendJson(res, actorJson(`${base}${req.url}`));
  });
  const pair = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
  const sender = { keyId: new URL(`${PUBLIC_URL}/users/bob#main-key`), privateKey: pair.privateKey };

  for (const allowPrivateAddresses of [true, false]) {
    const { kv, documentLoaderFactory, contextLoaderFactory, authenticatedDocumentLoaderFactory } = loaders({ allowPrivateAddresses });
    // Fedify refuses these factories together with its allowPrivateAddress or userAgent: neither is set.
    const federation = createFederation<void>({ kv, documentLoaderFactory, contextLoaderFactory, authenticatedDocumentLoaderFactory });
    const ctx = federation.createContext(new URL(PUBLIC_URL), undefined);
    const before = requests.length;
    const actor = await ctx.lookupObject(`${base}/users/alice`);
    if (!allowPrivateAddresses) {
      t.is(actor, null);
      t.is(requests.length, before, 'the lookup never reached the private address');
      continue;
    }
    t.true(actor instanceof Person);
    const alice = actor as Person;
    await ctx.sendActivity(sender, alice, new Follow({ id: new URL(`${PUBLIC_URL}/follows/1`), actor: new URL(`${PUBLIC_URL}/users/bob`), object: alice.id }), { immediate: true });
    t.is(inboxPosts.length, 1, 'the Follow reached the loopback inbox');
    t.like(JSON.parse(inboxPosts[0]!), { type: 'Follow', object: `${base}/users/alice` });
  }
});
