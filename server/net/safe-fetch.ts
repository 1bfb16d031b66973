// Fetching a URL that someone else chose (a remote attachment, avatar, actor)
// without letting them aim us at our own network or tie us up: http(s) only;
// every hop's host resolved and each of its addresses checked; the connection
// made to exactly the addresses checked (so a DNS answer that changes between
// the check and the connect, "DNS rebinding", cannot slip a private address
// in); redirects followed by hand, each checked the same way; one deadline for
// the whole fetch; the body refused once it passes its limit, without reading
// the rest.
import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress } from './address-policy.ts';

export type RemoteFetchReason = 'private-address' | 'too-large' | 'timeout' | 'http-status' | 'bad-url' | 'network';

/** Why a remote fetch did not give a body. The message names the URL's problem, never our network's. */
export class RemoteFetchError extends Error {
  readonly reason: RemoteFetchReason;
  /** The URL of the hop that failed (after redirects). */
  readonly url: string;
  /** The HTTP status, for 'http-status'. */
  readonly status: number | undefined;

  constructor(reason: RemoteFetchReason, message: string, options: { url: string; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'RemoteFetchError';
    this.reason = reason;
    this.url = options.url;
    this.status = options.status;
  }
}

export interface SafeFetchOptions {
  /** Let loopback and private addresses through (config.allowPrivateAddresses: local trials only). */
  allowPrivateAddresses: boolean;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Deadline for the whole fetch, redirects and body included. */
  timeoutMs: number;
  accept?: string;
  userAgent?: string;
  /**
   * Extra request headers, replacing ours of the same name (Accept and
   * User-Agent included; Accept-Encoding stays identity).
   * A function is asked anew for each hop, with that hop's URL, so a request
   * signature (Host, Date, Signature) is made for the URL it is sent to and
   * never handed to a redirect's target for another.
   */
  headers?: RequestHeaders | ((url: URL) => RequestHeaders | Promise<RequestHeaders>);
  /** Redirects followed before giving up (default 3). */
  maxRedirects?: number;
  /** Stops the fetch early (a job's signal when its worker stops); reported as 'network'. */
  signal?: AbortSignal;
  /**
   * Which resolved addresses may be reached, deciding instead of the rule
   * above. For tests that need a "public" server on loopback; leave unset.
   */
  isAllowedAddress?: (address: string) => boolean;
}

export type RequestHeaders = Readonly<Record<string, string>>;

export interface SafeFetchResponse {
  /** The URL the body came from, after redirects. */
  url: string;
  status: number;
  headers: Headers;
  body: Buffer;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULT_USER_AGENT = 'Viewfinder';

export async function safeFetch(url: string | URL, options: SafeFetchOptions): Promise<SafeFetchResponse> {
  const maxRedirects = options.maxRedirects ?? 3;
  const allowed = options.isAllowedAddress ?? ((address: string) => options.allowPrivateAddresses || !isPrivateAddress(address));
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  let current = parseHttpUrl(String(url));
  try {
    for (let redirects = 0; ; redirects++) {
      const addresses = await resolveAllowed(current, allowed, signal);
      const extra = typeof options.headers === 'function' ? await abortable(Promise.resolve(options.headers(new URL(current.href))), signal) : options.headers;
      const response = await send(current, addresses, requestHeaders(options, extra), signal);
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        response.destroy(); // a redirect's body is of no interest
        const location = response.headers.location;
        if (!location) throw new RemoteFetchError('http-status', `The server answered ${status} without a Location`, { url: current.href, status });
        if (redirects >= maxRedirects) throw new RemoteFetchError('http-status', `More than ${maxRedirects} redirects`, { url: current.href, status });
        current = parseHttpUrl(location, current);
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        throw new RemoteFetchError('http-status', `The server answered ${status}`, { url: current.href, status });
      }
      const body = await readBody(response, current, options.maxBytes);
      return { url: current.href, status, headers: toHeaders(response), body };
    }
  } catch (error) {
    throw asRemoteFetchError(error, current, deadline.signal, options.timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

function parseHttpUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch (cause) {
    throw new RemoteFetchError('bad-url', 'Not a valid URL', { url: text, cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RemoteFetchError('bad-url', `Only http and https URLs are fetched (got ${url.protocol})`, { url: url.href });
  if (url.hostname === '') throw new RemoteFetchError('bad-url', 'The URL has no host', { url: url.href });
  return url;
}

/** The URL's host without IPv6 brackets, as sockets and DNS want it. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Every address of the host (an IP literal is its own), all of them allowed, or an error. */
async function resolveAllowed(url: URL, allowed: (address: string) => boolean, signal: AbortSignal): Promise<LookupAddress[]> {
  const host = hostOf(url);
  const family = isIP(host);
  let addresses: LookupAddress[];
  if (family !== 0) addresses = [{ address: host, family }];
  else {
    try {
      addresses = await abortable(dnsLookup(host, { all: true }), signal);
    } catch (cause) {
      if (signal.aborted) throw cause;
      throw new RemoteFetchError('network', `Could not resolve ${host}`, { url: url.href, cause });
    }
  }
  // One refused address refuses the host: which one a connection would pick is not ours to choose.
  if (addresses.length === 0 || addresses.some((entry) => !allowed(entry.address))) {
    throw new RemoteFetchError('private-address', `${host} is a private or reserved address; remote fetches do not go there`, { url: url.href });
  }
  return addresses;
}

/** dns.lookup takes no signal: the deadline still ends the wait. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A lookup that answers only with the addresses already checked: the socket connects to nothing else. */
function pinnedLookup(addresses: LookupAddress[]) {
  return (_hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const matching = family === 4 || family === 6 ? addresses.filter((entry) => entry.family === family) : addresses;
    const first = matching[0];
    if (!first) {
      callback(Object.assign(new Error(`no IPv${family} address`), { code: 'ENOTFOUND' }), '');
      return;
    }
    if (options.all) callback(null, matching);
    else callback(null, first.address, first.family);
  };
}

/** Our headers, then the caller's, by lower-case name so one of theirs replaces ours whatever its case. */
function requestHeaders(options: SafeFetchOptions, extra: RequestHeaders | undefined): Record<string, string> {
  const headers: Record<string, string> = { accept: options.accept ?? '*/*', 'user-agent': options.userAgent ?? DEFAULT_USER_AGENT };
  for (const [name, value] of Object.entries(extra ?? {})) headers[name.toLowerCase()] = value;
  // Not the caller's to change: sizes are counted on the wire, so no compressed body that grows past the limit once inflated.
  headers['accept-encoding'] = 'identity';
  return headers;
}

function send(url: URL, addresses: LookupAddress[], headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  const host = hostOf(url);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({
      protocol: url.protocol,
      hostname: host,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      // A Host among them is sent as given (Node adds its own only when there is none).
      headers,
      lookup: pinnedLookup(addresses),
      // TLS checks the certificate against the name, whatever address we connect to.
      servername: isIP(host) === 0 ? host : undefined,
      agent: false,
      signal,
    });
    req.once('response', resolve);
    // Kept for the request's whole life: an abort after the answer began must not go unheard.
    req.on('error', reject);
    req.end();
  });
}

async function readBody(response: IncomingMessage, url: URL, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new RemoteFetchError('too-large', `The body is larger than the limit of ${maxBytes} bytes`, { url: url.href });
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      response.destroy(); // stop reading: the rest never leaves the socket buffer
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

function toHeaders(response: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

function asRemoteFetchError(error: unknown, url: URL, deadline: AbortSignal, timeoutMs: number): RemoteFetchError {
  if (error instanceof RemoteFetchError) return error;
  if (deadline.aborted) return new RemoteFetchError('timeout', `No complete answer within ${timeoutMs} ms`, { url: url.href, cause: error });
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new RemoteFetchError('network', `The fetch failed${code ? ` (${code})` : ''}`, { url: url.href, cause: error });
}
