// The remote side of the federation bench: one small HTTP stub on 127.0.0.1
// (one listener by default; `origins` listeners when asked, to spread the
// inboxes over several remote origins). It answers 202 to every POST and
// counts them, per inbox path and per signature spec, so the bench sees how
// many requests a delivery really took (Fedify's double-knock would show as a
// second request per inbox); it serves the bench's remote actor documents
// (with their RSA public keys) and one tiny JPEG for remote attachments.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import sharp from 'sharp';

export interface DeliveryCounts {
  /** Every POST received. */
  requests: number;
  /** Distinct inbox paths (per origin) that received at least one POST. */
  inboxes: number;
  /** POSTs signed the RFC 9421 way (Signature-Input), the draft-cavage way (Signature), or not at all. */
  rfc9421: number;
  draftCavage: number;
  unsigned: number;
  /** performance.now() of the first POST and of the one that completed the last new inbox; NaN before. */
  firstAt: number;
  lastNewInboxAt: number;
}

export interface Stub {
  /** `http://127.0.0.1:<port>` of each listener; the first is the main one. */
  origins: string[];
  /** Serves `doc` as application/activity+json at `path` (on every listener). */
  serveDocument(path: string, doc: unknown): void;
  counts(): DeliveryCounts;
  /** Forgets what was counted so far. */
  reset(): void;
  /** Resolves once `inboxes` distinct inboxes were posted to; rejects after `timeoutMs`. */
  waitForInboxes(inboxes: number, timeoutMs: number): Promise<DeliveryCounts>;
  close(): Promise<void>;
}

const ACTIVITY_JSON = 'application/activity+json';

export async function startStub(options: { origins: number }): Promise<Stub> {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#228844' } }).jpeg().toBuffer();
  const documents = new Map<string, string>();
  let counts: DeliveryCounts;
  let seen: Set<string>;
  let waiter: { want: number; resolve: (c: DeliveryCounts) => void } | null = null;
  const reset = () => {
    counts = { requests: 0, inboxes: 0, rfc9421: 0, draftCavage: 0, unsigned: 0, firstAt: NaN, lastNewInboxAt: NaN };
    seen = new Set();
  };
  reset();

  function onPost(req: IncomingMessage, res: ServerResponse): void {
    const now = performance.now();
    counts.requests += 1;
    if (Number.isNaN(counts.firstAt)) counts.firstAt = now;
    if (req.headers['signature-input']) counts.rfc9421 += 1;
    else if (req.headers.signature) counts.draftCavage += 1;
    else counts.unsigned += 1;
    const key = `${req.headers.host}${req.url}`;
    if (!seen.has(key)) {
      seen.add(key);
      counts.inboxes = seen.size;
      counts.lastNewInboxAt = now;
      if (waiter && counts.inboxes >= waiter.want) waiter.resolve({ ...counts });
    }
    // The body is not read for meaning, only drained, so the connection can be reused.
    req.resume();
    req.once('end', () => {
      res.writeHead(202, { 'content-length': '0' });
      res.end();
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'POST') return onPost(req, res);
    const path = (req.url ?? '/').split('?')[0]!;
    const doc = documents.get(path);
    if (req.method === 'GET' && doc !== undefined) {
      res.writeHead(200, { 'content-type': ACTIVITY_JSON, 'content-length': Buffer.byteLength(doc) });
      res.end(doc);
      return;
    }
    if (req.method === 'GET' && path.startsWith('/media/')) {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length });
      res.end(jpeg);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  const servers: Server[] = [];
  const origins: string[] = [];
  for (let i = 0; i < Math.max(1, options.origins); i++) {
    const server = createServer({ keepAliveTimeout: 60_000 }, handle);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    origins.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  return {
    origins,
    serveDocument(path, doc) {
      documents.set(path, JSON.stringify(doc));
    },
    counts: () => ({ ...counts }),
    reset,
    waitForInboxes(want, timeoutMs) {
      if (counts.inboxes >= want) return Promise.resolve({ ...counts });
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          reject(new Error(`the stub received ${counts.requests} POSTs to ${counts.inboxes} of ${want} inboxes within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        waiter = {
          want,
          resolve: (c) => {
            clearTimeout(timer);
            waiter = null;
            resolve(c);
          },
        };
      });
    },
    async close() {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
