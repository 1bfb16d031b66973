// Fedify inside koa (there is no @fedify/koa for Fedify 2): a koa request
// becomes a fetch `Request` for `federation.fetch`, and its `Response` becomes
// the koa response. Mounted before the body parser: inbox signature checks
// need the raw body. Only inbox POSTs get the body stream; every other request
// Fedify does not answer (not its route, or a browser asking for HTML) goes on
// to our own routers untouched, which is how the same URL serves JSON-LD to
// servers and HTML to people.
import type { Readable } from 'node:stream';
import type Koa from 'koa';
import type { Federation } from '@fedify/fedify';
import type { FederationData } from './context.ts';
import { parsingInboxEnvelopes } from './vocab-memo.ts';

export interface KoaFederationOptions {
  federation: Federation<FederationData>;
  contextData: FederationData;
  /** The public origin: Fedify builds ids from the request URL, which must be the public one. */
  publicUrl: string;
  /** True when activities from this host are refused outright (an admin's domain block). */
  refuseHost?: (host: string) => Promise<boolean>;
  /** Largest inbox POST body, bytes (the JSON body limit). */
  maxBodyBytes: number;
}

/**
 * The request body, read whole, or null once it passes `max` bytes (the rest
 * is not read). Inbox bodies are a few kilobytes: a buffer is cheaper to hand
 * Fedify (which reads it twice) than a Node stream turned into a web stream.
 */
function readLimited(req: Readable, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen <= max) return void chunks.push(chunk);
      // Stop reading (the socket is closed after the 413: Connection: close),
      // without destroying the request before the answer is written.
      req.off('data', onData);
      req.pause();
      resolve(null);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, seen)));
    req.once('error', reject);
  });
}

/** The host of the key that signed a request (draft-cavage `Signature` or RFC 9421 `Signature-Input`), if it names one. */
export function signingKeyHost(headers: Koa.Request['headers']): string | null {
  const text = [headers.signature, headers['signature-input']].filter((v): v is string => typeof v === 'string').join(' ');
  const match = /keyid="([^"]+)"/i.exec(text);
  if (!match) return null;
  try {
    return new URL(match[1]!).host;
  } catch {
    return null;
  }
}

// Paths Fedify routes. Anything else skips it without building a Request.
const FEDERATION_PATH = /^\/(\.well-known\/(webfinger|nodeinfo|host-meta)|nodeinfo\/|users\/|inbox$)/;
const INBOX_PATH = /^\/(inbox|users\/[^/]+\/inbox)$/;

export function federationMiddleware(options: KoaFederationOptions): Koa.Middleware {
  const { federation, contextData } = options;
  const origin = new URL(options.publicUrl).origin;
  return async (ctx, next) => {
    if (!FEDERATION_PATH.test(ctx.path)) return next();
    const method = ctx.method;
    const withBody = method === 'POST' && INBOX_PATH.test(ctx.path);
    if (method !== 'GET' && method !== 'HEAD' && !withBody) return next();
    // A blocked server is turned away before its body is read or its key fetched.
    const signer = withBody ? signingKeyHost(ctx.headers) : null;
    if (signer && options.refuseHost && (await options.refuseHost(signer))) {
      ctx.status = 403;
      ctx.body = { error: 'This server does not accept activities from your domain' };
      return;
    }
    if (withBody && Number(ctx.get('content-length') || 0) > options.maxBodyBytes) {
      ctx.status = 413;
      ctx.body = { error: `Request body is larger than the limit of ${options.maxBodyBytes} bytes` };
      return;
    }

    const headers = new Headers();
    for (const [name, value] of Object.entries(ctx.req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const body = withBody ? await readLimited(ctx.req, options.maxBodyBytes) : undefined;
    if (body === null) {
      // Sent without a length, or a false one: cut off where it passed the limit.
      ctx.status = 413;
      ctx.body = { error: `Request body is larger than the limit of ${options.maxBodyBytes} bytes` };
      ctx.set('Connection', 'close');
      return;
    }
    // A view of the buffer, not a copy (Node's Buffers are ArrayBuffer-backed).
    const bytes = body && new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
    const request = new Request(new URL(ctx.originalUrl, origin), { method, headers, body: bytes });

    // Fedify hands back what these callbacks return: this very object means "not mine".
    const notMine = new Response(null, { status: 404 });
    const fetchOptions = { contextData, onNotFound: () => notMine, onNotAcceptable: () => notMine };
    // An inbox POST is verified here and run by a job (vocab-memo.ts: only its envelope is parsed here).
    const response = await (withBody ? parsingInboxEnvelopes(() => federation.fetch(request, fetchOptions)) : federation.fetch(request, fetchOptions));
    if (response === notMine) return next();
    ctx.status = response.status;
    response.headers.forEach((value, name) => {
      // koa sets its own length and encoding from the body.
      if (name === 'content-length' || name === 'transfer-encoding') return;
      ctx.set(name, value);
    });
    if (method === 'HEAD' || response.body === null) {
      ctx.body = null;
      return;
    }
    ctx.body = Buffer.from(await response.arrayBuffer());
  };
}
