// The document loaders Fedify fetches actors, keys, notes and collections
// with, built on our safeFetch instead of Fedify's own: Fedify's refuse
// private addresses but have no size limit and no timeout, so a remote server
// could stream an endless actor at us or never answer. Here every fetch has
// one deadline, a body limit and at most a few redirects, each hop checked
// against the private-address rule (relaxed only by config.allowPrivateAddresses,
// local trials and tests). Errors are Fedify's FetchError, carrying a Response
// with the status when the server answered one, because Fedify reads them:
// a 404 or 410 for a key marks it gone, and a FetchError while finding a
// signer makes the request unauthenticated rather than failing it.
import { kvCache, signRequest, type HttpMessageSignaturesSpec, type KvStore } from '@fedify/fedify';
import {
  FetchError,
  getRemoteDocument,
  preloadedContexts,
  type AuthenticatedDocumentLoaderFactory,
  type DocumentLoader,
  type DocumentLoaderFactory,
} from '@fedify/fedify/runtime';
import type { Config } from '../config/load.ts';
import { VIEWFINDER_VERSION } from '../server/api/entities/instance.ts';
import { RemoteFetchError, safeFetch, type RequestHeaders, type SafeFetchOptions, type SafeFetchResponse } from '../server/net/safe-fetch.ts';

/** What we ask servers for: ActivityStreams JSON-LD, in both the spellings servers answer to. */
export const DOCUMENT_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

export interface DocumentFetchLimits {
  /** Largest document accepted, in bytes. */
  maxBytes: number;
  /** Deadline for one fetch, redirects and body included. */
  timeoutMs: number;
  maxRedirects: number;
}

/** An actor or a page of a collection is a few kilobytes; a megabyte is far beyond any honest document. */
export const DOCUMENT_FETCH_LIMITS: Readonly<DocumentFetchLimits> = { maxBytes: 1024 * 1024, timeoutMs: 10_000, maxRedirects: 5 };

export interface DocumentLoaderDeps {
  config: Pick<Config, 'publicUrl' | 'allowPrivateAddresses'>;
  /** The federation's own KvStore: cached documents live where Fedify's default loader keeps them. */
  kv: KvStore;
  limits?: Partial<DocumentFetchLimits>;
}

/** The three loader options of Fedify's createFederation / builder.build. */
export interface LoaderFactories {
  documentLoaderFactory: DocumentLoaderFactory;
  contextLoaderFactory: DocumentLoaderFactory;
  authenticatedDocumentLoaderFactory: AuthenticatedDocumentLoaderFactory;
}

type Identity = Parameters<AuthenticatedDocumentLoaderFactory>[0];
type Fetcher = (url: URL, signal: AbortSignal | undefined) => Promise<SafeFetchResponse>;

const DRAFT_CAVAGE: HttpMessageSignaturesSpec = 'draft-cavage-http-signatures-12';
// Statuses whose Response may not have a body (the Response constructor refuses one).
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

// Fedify calls the factories with its own allowPrivateAddress (false, since
// it is not set when factories are) and its user agent: both are ignored, the
// config decides here.

/**
 * Everything to pass to builder.build, all three loaders made once:
 * `builder.build({ kv, ...createLoaderFactories({ config, kv }), … })`.
 */
export function createLoaderFactories(deps: DocumentLoaderDeps): LoaderFactories {
  return {
    documentLoaderFactory: createDocumentLoaderFactory(deps),
    contextLoaderFactory: createContextLoaderFactory(deps),
    authenticatedDocumentLoaderFactory: createAuthenticatedDocumentLoaderFactory(deps),
  };
}

/** Documents fetched anonymously and kept in the KvStore for five minutes, as Fedify's default loader does. */
export function createDocumentLoaderFactory(deps: DocumentLoaderDeps): DocumentLoaderFactory {
  const loader = kvCache({ loader: anonymousLoader(deps), kv: deps.kv, kind: 'object' });
  return () => loader;
}

/** JSON-LD contexts: the preloaded ones answered at once, others fetched and cached like documents. */
export function createContextLoaderFactory(deps: DocumentLoaderDeps): DocumentLoaderFactory {
  const loader = kvCache({ loader: anonymousLoader(deps), kv: deps.kv, kind: 'context' });
  return () => loader;
}

/**
 * Documents fetched with a request signed by an actor's key, for servers in
 * authorized-fetch mode. Not cached: the answer depends on who asks. Signed
 * draft-cavage first (what Mastodon verifies); a 401 gets one retry signed
 * RFC 9421, Fedify's "double knock" without its per-server memory.
 */
export function createAuthenticatedDocumentLoaderFactory(deps: DocumentLoaderDeps): AuthenticatedDocumentLoaderFactory {
  const options = fetchOptions(deps);
  return (identity) => {
    const signedFetch = (url: URL, spec: HttpMessageSignaturesSpec, signal: AbortSignal | undefined) =>
      safeFetch(url, { ...options, signal, headers: (hop) => signatureHeaders(hop, identity, spec) });
    return documentLoader(async (url, signal) => {
      try {
        return await signedFetch(url, DRAFT_CAVAGE, signal);
      } catch (error) {
        if (!(error instanceof RemoteFetchError && error.reason === 'http-status' && error.status === 401)) throw error;
        return signedFetch(url, 'rfc9421', signal);
      }
    });
  };
}

function fetchOptions(deps: DocumentLoaderDeps): SafeFetchOptions {
  const limits = { ...DOCUMENT_FETCH_LIMITS, ...deps.limits };
  return {
    allowPrivateAddresses: deps.config.allowPrivateAddresses,
    maxBytes: limits.maxBytes,
    timeoutMs: limits.timeoutMs,
    maxRedirects: limits.maxRedirects,
    accept: DOCUMENT_ACCEPT,
    userAgent: `Viewfinder/${VIEWFINDER_VERSION} (+${deps.config.publicUrl})`,
  };
}

function anonymousLoader(deps: DocumentLoaderDeps): DocumentLoader {
  const options = fetchOptions(deps);
  return documentLoader((url, signal) => safeFetch(url, { ...options, signal }));
}

/**
 * The signature headers (Host, Date, Signature and, for RFC 9421,
 * Signature-Input) for a GET of `url` with our Accept: exactly the request
 * safeFetch then sends, so what is signed is what arrives. Made for each hop,
 * so a redirect's target gets a signature of its own URL.
 */
async function signatureHeaders(url: URL, identity: Identity, spec: HttpMessageSignaturesSpec): Promise<RequestHeaders> {
  const request = new Request(url, { method: 'GET', headers: { Accept: DOCUMENT_ACCEPT } });
  const signed = await signRequest(request, identity.privateKey, identity.keyId, { spec });
  return Object.fromEntries(signed.headers);
}

/** A Fedify DocumentLoader over a fetcher: preloaded contexts without a fetch, every failure a FetchError. */
function documentLoader(fetcher: Fetcher): DocumentLoader {
  const load: DocumentLoader = async (url, options) => {
    options?.signal?.throwIfAborted();
    const target = new URL(url);
    if (target.href in preloadedContexts) return { contextUrl: null, document: preloadedContexts[target.href], documentUrl: target.href };
    let fetched: SafeFetchResponse;
    try {
      fetched = await fetcher(target, options?.signal);
    } catch (error) {
      throw asFetchError(target, error);
    }
    try {
      // The final URL (after redirects) is the document's: a Response we build has none of its own.
      // An HTML page's alternate link is followed through `load`, so with the same limits.
      return await getRemoteDocument(fetched.url, toResponse(fetched), load);
    } catch (error) {
      if (error instanceof FetchError) throw error;
      throw withCause(new FetchError(fetched.url, `Not a JSON-LD document (${error instanceof Error ? error.message : String(error)})`), error);
    }
  };
  return load;
}

function toResponse(fetched: SafeFetchResponse): Response {
  const body = NULL_BODY_STATUSES.has(fetched.status) ? null : new Uint8Array(fetched.body);
  return new Response(body, { status: fetched.status, headers: fetched.headers });
}

/** A refusal as Fedify expects it; an HTTP error status as a Response (status only: safeFetch does not read error bodies). */
function asFetchError(url: URL, error: unknown): FetchError {
  if (error instanceof FetchError) return error;
  if (!(error instanceof RemoteFetchError)) return withCause(new FetchError(url, String(error)), error);
  const at = URL.canParse(error.url) ? new URL(error.url) : url;
  const status = error.status;
  const response = status !== undefined && status >= 200 && status <= 599 ? new Response(null, { status }) : undefined;
  return withCause(new FetchError(at, `${error.message} (${error.reason})`, response), error);
}

function withCause(error: FetchError, cause: unknown): FetchError {
  error.cause = cause;
  return error;
}
