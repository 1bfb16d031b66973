// A stand-in for a Mastodon or Pixelfed server, for interop tests against a
// real Viewfinder instance: an HTTP server on 127.0.0.1 that serves actor
// documents (the fixture person or instance actor, with this server's ids and
// a real RSA key), WebFinger and NodeInfo, any files and objects a test hands
// it, and inboxes that check draft-cavage signatures as Mastodon 4.3 does
// (anything else is 401, so Fedify's double knock falls back to it) and record
// what they accept. `deliver` POSTs an activity signed with its actor's key.
import { createHash, KeyObject, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { generateCryptoKeyPair, signRequest, verifyRequest, type DocumentLoader } from '@fedify/fedify';
import { loadFixture, offlineContextLoader, type Json } from '../fixtures/federation/fixtures.ts';
import { eventually } from './instances.ts';
import { FIXTURE_ACTORS, renameActor, rewrite, type ActorAddress, type Rewrites } from './stub-peer-fixtures.ts';

export type Software = 'mastodon' | 'pixelfed';

const SOFTWARE = {
  mastodon: { host: 'mastodon.example', person: FIXTURE_ACTORS.mastodonAlice, version: '4.3.2', userAgent: 'http.rb/5.2.0 (Mastodon/4.3.2; +{url}/)' },
  pixelfed: { host: 'pixelfed.example', person: FIXTURE_ACTORS.pixelfedDana, version: '0.12.4', userAgent: '(Pixelfed/0.12.4; +{url})' },
} as const;

export interface StubActor {
  id: string;
  keyId: string;
  inbox: string;
  followers: string;
  username: string;
  /** The handle as our API spells it: `username@127.0.0.1:<port>`. */
  acct: string;
  address: ActorAddress;
  /** The served document. */
  document: Json;
  /** Changes the served document (e.g. `movedTo` after a Move). */
  update(changes: Json): void;
}

/** One POST an inbox of the stub accepted: its signature verified against the key its keyId names. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  activity: Json;
  keyId: string;
  /** The owner of the verifying key. */
  signedBy: string | null;
  /** The Digest header names the SHA-256 of the body. */
  digestMatches: boolean;
}

export interface StubPeer {
  software: Software;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`: the domain our instance gives this server's accounts. */
  host: string;
  sharedInbox: string;
  /** The fixture's person (alice on Mastodon, dana on Pixelfed), with its own key pair. */
  person(options?: { username?: string; alsoKnownAs?: string[] }): Promise<StubActor>;
  /** The server's own actor (Mastodon's `/actor`, Pixelfed's `/i/actor`), which signs reports. */
  instanceActor(): Promise<StubActor>;
  /** A fixture with `rewrites` applied first (our users and posts), then the fixture server's origin made this stub's. */
  fixture(name: string, rewrites?: Rewrites): Promise<Json>;
  /** POSTs the activity to an inbox, signed (draft-cavage) by the stub actor it names; throws unless answered 2xx. */
  deliver(activity: Json, toInbox: string): Promise<void>;
  /** Serves an object (a Note) at its id, as its server would answer a fetch. */
  publish(object: Json): void;
  /** Serves a file (a photo an attachment names). */
  serveFile(url: string, body: Buffer, contentType: string): void;
  received: Received[];
  /** Requests an inbox refused (unsigned, or a signature that did not verify), for diagnostics. */
  refused: { path: string; reason: string }[];
  receivedWhere(what: string, match: (received: Received) => boolean, timeoutMs?: number): Promise<Received>;
}

interface Served {
  body: string | Buffer;
  type: string;
}

const AS_JSON = 'application/activity+json; charset=utf-8';

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** Fetches keys (actor documents) over plain HTTP, as the stub's own server would. */
const fetchDocument: DocumentLoader = async (url) => {
  const response = await fetch(url, { headers: { Accept: 'application/activity+json' } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return { contextUrl: null, documentUrl: response.url || url, document: await response.json() };
};

function digestMatches(header: string | undefined, body: Buffer): boolean {
  const value = header?.match(/SHA-256=([^,\s]+)/i)?.[1];
  return value === createHash('sha256').update(body).digest('base64');
}

export async function startStubPeer(t: ExecutionContext, software: Software): Promise<StubPeer> {
  const { host: fixtureHost, person: fixturePerson, version, userAgent } = SOFTWARE[software];
  const documents = new Map<string, Served>();
  const keys = new Map<string, { actor: StubActor; privateKey: CryptoKey }>();
  const received: Received[] = [];
  const refused: StubPeer['refused'] = [];
  const contextLoader = offlineContextLoader();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `http://${host}`;
  const origin: Rewrites = [
    [`https://files.${fixtureHost}`, `${url}/files`],
    [`https://${fixtureHost}`, url],
    [fixtureHost, host],
  ];
  const sharedInbox = software === 'mastodon' ? `${url}/inbox` : `${url}/f/inbox`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', url);
    const body = await readBody(req);
    if (req.method === 'POST' && target.pathname.endsWith('/inbox')) return inbox(req, res, target, body);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    if (target.pathname === '/.well-known/webfinger') return webFinger(res, target.searchParams.get('resource') ?? '');
    if (target.pathname === '/.well-known/nodeinfo') {
      return json(res, { links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${url}/nodeinfo/2.0` }] }, 'application/json');
    }
    if (target.pathname === '/nodeinfo/2.0') {
      const usage = { users: { total: keys.size, activeMonth: keys.size, activeHalfyear: keys.size }, localPosts: 0 };
      return json(res, { version: '2.0', software: { name: software, version }, protocols: ['activitypub'], services: { outbound: [], inbound: [] }, usage, openRegistrations: false, metadata: {} }, 'application/json');
    }
    const served = documents.get(`${url}${target.pathname}${target.search}`) ?? documents.get(`${url}${target.pathname}`);
    if (served) return void res.writeHead(200, { 'Content-Type': served.type }).end(served.body);
    // An actor's collections: empty, as for a new account.
    const collection = [...keys.values()].find(({ actor }) => target.href.startsWith(`${actor.id}/`));
    if (collection) return json(res, { '@context': 'https://www.w3.org/ns/activitystreams', id: target.href, type: 'OrderedCollection', totalItems: 0, orderedItems: [] });
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  }

  function json(res: ServerResponse, value: unknown, type = AS_JSON): void {
    res.writeHead(200, { 'Content-Type': type }).end(JSON.stringify(value));
  }

  function webFinger(res: ServerResponse, resource: string): void {
    const found = [...keys.values()].map(({ actor }) => actor).find((a) => resource === `acct:${a.acct}` || resource === a.id || resource === a.address.profile);
    if (!found) return void res.writeHead(404).end();
    json(
      res,
      {
        subject: `acct:${found.acct}`,
        aliases: [found.address.profile, found.id],
        links: [
          { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: found.address.profile },
          { rel: 'self', type: 'application/activity+json', href: found.id },
          { rel: 'http://ostatus.org/schema/1.0/subscribe', template: `${url}/authorize_interaction?uri={uri}` },
        ],
      },
      'application/jrd+json; charset=utf-8',
    );
  }

  async function inbox(req: IncomingMessage, res: ServerResponse, target: URL, body: Buffer): Promise<void> {
    const headers = headersOf(req);
    const refuse = (reason: string) => {
      refused.push({ path: target.pathname, reason });
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end(reason);
    };
    // Mastodon 4.3 reads draft-cavage `Signature` only; RFC 9421 alone is "not signed".
    const keyId = headers.signature?.match(/keyId="([^"]+)"/)?.[1];
    if (!keyId) return refuse('Request not signed');
    const request = new Request(target.href, { method: 'POST', headers, body: new Uint8Array(body) });
    const key = await verifyRequest(request, { documentLoader: fetchDocument, contextLoader, spec: 'draft-cavage-http-signatures-12' });
    if (!key) return refuse(`Verification failed for ${keyId}`);
    const activity = JSON.parse(body.toString('utf8')) as Json;
    received.push({ path: target.pathname, headers, body: body.toString('utf8'), activity, keyId, signedBy: key.ownerId?.href ?? null, digestMatches: digestMatches(headers.digest, body) });
    res.writeHead(202).end();
  }

  async function addActor(document: Json, address: ActorAddress, username: string): Promise<StubActor> {
    const { publicKey, privateKey } = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
    const publicKeyPem = KeyObject.from(publicKey).export({ type: 'spki', format: 'pem' }).toString();
    const keyDocument = document.publicKey as Json;
    const served: Json = { ...document, publicKey: { ...keyDocument, publicKeyPem } };
    const actor: StubActor = {
      id: String(served.id),
      keyId: String(keyDocument.id),
      inbox: String(served.inbox),
      followers: String(served.followers ?? ''),
      username,
      acct: `${username}@${host}`,
      address,
      document: served,
      update(changes) {
        actor.document = { ...actor.document, ...changes };
        documents.set(actor.id, { body: JSON.stringify(actor.document), type: AS_JSON });
      },
    };
    documents.set(actor.id, { body: JSON.stringify(served), type: AS_JSON });
    keys.set(actor.id, { actor, privateKey });
    return actor;
  }

  const peer: StubPeer = {
    software,
    url,
    host,
    sharedInbox,
    received,
    refused,
    async person(options = {}) {
      const fixtureUsername = fixturePerson.acct.split('@')[0]!;
      const username = options.username ?? fixtureUsername;
      const profile = software === 'mastodon' ? `${url}/@${username}` : `${url}/${username}`;
      const address: ActorAddress = { id: `${url}/users/${username}`, profile, acct: `${username}@${host}` };
      const document = await peer.fixture(`${software}-person`, renameActor(fixturePerson, address));
      document.preferredUsername = username;
      if (options.alsoKnownAs) document.alsoKnownAs = options.alsoKnownAs;
      return addActor(document, address, username);
    },
    async instanceActor() {
      const document = await peer.fixture(`${software}-instance-actor`);
      return addActor(document, { id: String(document.id), profile: String(document.url), acct: `${host}@${host}` }, host);
    },
    async fixture(name, rewrites = []) {
      return rewrite(rewrite(await loadFixture(name), rewrites), origin);
    },
    async deliver(activity, toInbox) {
      const signer = keys.get(String(activity.actor));
      if (!signer) throw new Error(`No stub actor ${String(activity.actor)} to sign ${String(activity.type)}`);
      const request = new Request(toInbox, {
        method: 'POST',
        headers: { 'Content-Type': 'application/activity+json', 'User-Agent': userAgent.replace('{url}', url) },
        body: JSON.stringify(activity),
      });
      const signed = await signRequest(request, signer.privateKey, new URL(signer.actor.keyId), { spec: 'draft-cavage-http-signatures-12' });
      const response = await fetch(signed);
      const text = await response.text();
      if (!response.ok) throw new Error(`Delivery of ${String(activity.type)} ${String(activity.id)} to ${toInbox}: ${response.status} ${text}`);
    },
    publish(object) {
      documents.set(String(object.id), { body: JSON.stringify(object), type: AS_JSON });
    },
    serveFile(fileUrl, body, contentType) {
      documents.set(fileUrl, { body, type: contentType });
    },
    receivedWhere(what, match, timeoutMs) {
      return eventually(what, async () => received.find(match), timeoutMs);
    },
  };
  return peer;
}

/** A fresh id in Mastodon's style for activities with no row of their own (Follow, Flag): the origin and a UUID. */
export function mastodonActivityId(peer: StubPeer): string {
  return `${peer.url}/${randomUUID()}`;
}
