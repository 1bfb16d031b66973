// Domain names as domain blocks store and match them. An instance's domain is
// the host of its public URL, port included when it is not the default
// (DESIGN.md), so `127.0.0.1:3002` is a domain here. A block on a host covers
// its subdomains and, when it names no port, every port of it.
import { domainToASCII } from 'node:url';
import type { DomainScope } from '../../db/domain-blocks.repo.ts';
import { AppError, unprocessable } from '../../errors.ts';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// Default ports of the schemes we federate over: `example.com:443` is example.com.
const DEFAULT_PORTS = new Set([80, 443]);

/**
 * The stored form of a domain typed by an admin: lowercase, punycode,
 * without a trailing dot, a leading `*.`, a scheme or path, or a default
 * port. `example.com`, `EXAMPLE.com.`, `https://example.com/path`,
 * `*.example.com`, `bücher.example` and `127.0.0.1:3002` are accepted;
 * anything else is a 422.
 */
export function normalizeDomain(text: string): string {
  const refuse = () => unprocessable(`"${text}" is not a domain name (try e.g. example.com or 127.0.0.1:3002)`);
  let rest = text.trim();
  if (SCHEME.test(rest)) {
    let url: URL;
    try {
      url = new URL(rest);
    } catch (error) {
      throw new AppError(422, `"${text}" is not a domain name`, { cause: error });
    }
    if (url.username !== '' || url.password !== '') throw refuse();
    rest = url.host;
  } else {
    rest = rest.split(/[/?#]/, 1)[0]!;
  }
  rest = rest.replace(/^\*\./, '');
  // `%` would be percent-decoded into another name; `@` is an address, not a host.
  if (rest === '' || /[\s@%\\]/.test(rest)) throw refuse();

  const parts = splitHostPort(rest);
  if (!parts) throw refuse();
  let hostname: string;
  if (parts.hostname.startsWith('[')) {
    hostname = ipv6(parts.hostname) ?? '';
  } else {
    hostname = domainToASCII(parts.hostname.replace(/\.$/, ''));
    const valid = hostname.length <= 253 && (IPV4.test(hostname) || hostname.split('.').every((label) => LABEL.test(label)));
    if (!valid) hostname = '';
  }
  if (hostname === '') throw refuse();

  let port: string | null = null;
  if (parts.port !== null) {
    const number = Number(parts.port);
    if (!Number.isInteger(number) || number < 1 || number > 65535) throw refuse();
    if (!DEFAULT_PORTS.has(number)) port = String(number);
  }
  const domain = port === null ? hostname : `${hostname}:${port}`;
  if (domain.length > 255) throw refuse();
  return domain;
}

function splitHostPort(text: string): { hostname: string; port: string | null } | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(text);
  return match ? { hostname: match[1]!, port: match[2] ?? null } : null;
}

function ipv6(bracketed: string): string | null {
  try {
    return new URL(`http://${bracketed}/`).hostname;
  } catch {
    return null; // not an IPv6 address: the caller refuses it
  }
}

/**
 * A host as it arrives from federation (an actor's or activity's URL host),
 * made comparable to stored blocks without refusing anything: a host our
 * normalizer would refuse must still meet the block on its parent domain.
 */
function hostKey(host: string): string {
  try {
    return normalizeDomain(host);
  } catch {
    return host.trim().toLowerCase().replace(/\.$/, '');
  }
}

/** Where a stored domain reaches (see DomainScope). */
export function scopeOf(domain: string): DomainScope {
  const parts = splitHostPort(domain) ?? { hostname: domain, port: null };
  return { hostname: parts.hostname, port: parts.port, isIp: isIp(parts.hostname) };
}

const isIp = (hostname: string) => IPV4.test(hostname) || hostname.startsWith('[');

/**
 * The block domains that would cover `host`, most specific first:
 * `a.example.com:3000` → a.example.com:3000, example.com:3000, com:3000,
 * a.example.com, example.com, com. An IP address has no parents.
 */
export function coveringDomains(host: string): string[] {
  const { hostname, port, isIp: ip } = scopeOf(hostKey(host));
  const labels = hostname.split('.');
  const names = ip ? [hostname] : labels.map((_, i) => labels.slice(i).join('.')).filter((name) => name !== '');
  return port === null ? names : [...names.map((name) => `${name}:${port}`), ...names];
}

/** True when a block on `blockDomain` covers `host`. */
export function domainCovers(blockDomain: string, host: string): boolean {
  return coveringDomains(host).includes(blockDomain);
}
