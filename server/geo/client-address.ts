/**
 * The client's public address as the server sees it: the socket peer, unless that peer is a
 * configured trusted proxy, in which case the one configured forwarding header is walked from
 * the right (the hop nearest to us) to the first address that is not a trusted proxy. A header
 * of the other kind is never read: a client can write it, and the proxy may pass it through.
 */
import { createCidrSet, type CidrSet } from './cidr.js';
import { formatIp, parseIp, type ParsedIp } from './ip.js';
import type { GeoLogger } from './types.js';

/** The forwarding header the trusted proxies set (FORWARDED_HEADER). */
export type ForwardedHeader = 'forwarded' | 'x-forwarded-for';

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ClientAddressInput {
  /** request.socket.remoteAddress */
  socketAddress: string | undefined;
  /** Request headers with lowercase names (as Node and Fastify give them). */
  headers: HeaderBag;
  /** TRUSTED_PROXIES as a CidrSet (build it once) or as the configured list. */
  trustedProxies: CidrSet | readonly string[];
  /**
   * The one header the trusted proxies set; the other kind is ignored. Null or absent: no
   * header is believed, even from a trusted proxy (there is no "auto": guessing which header
   * the proxy wrote is how a client-written one gets read).
   */
  header?: ForwardedHeader | null | undefined;
}

const MAX_HEADER = 8192;
const MAX_HOPS = 64;

function headerText(headers: HeaderBag, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  const text = typeof v === 'string' ? v : v.join(',');
  return text.trim() === '' ? null : text;
}

/** Splits on `sep` outside quoted strings (RFC 7230 quoted-string with backslash escapes). */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === sep) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}

/** One hop's `for=` node (RFC 7239 §6): "1.2.3.4", "1.2.3.4:80", "[2001:db8::1]:443", "unknown". */
export function parseNode(raw: string): ParsedIp | null {
  const v = unquote(raw.trim());
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    if (close < 0) return null;
    const rest = v.slice(close + 1);
    if (rest !== '' && !/^:[0-9a-zA-Z_.-]+$/.test(rest)) return null;
    const p = parseIp(v.slice(1, close));
    return p !== null && !v.slice(1, close).includes('%') ? p : null;
  }
  const colons = v.split(':').length - 1;
  if (colons === 1) return parseIp(v.slice(0, v.indexOf(':'))); // IPv4 with port
  if (v.includes('%')) return null;
  return parseIp(v); // IPv4 or unbracketed IPv6 (tolerated in X-Forwarded-For)
}

/** The `for=` values of each Forwarded element, left to right; null entries are unusable hops. */
function forwardedHops(text: string): (string | null)[] {
  return splitOutsideQuotes(text, ',').map((element) => {
    let node: string | null = null;
    for (const pair of splitOutsideQuotes(element, ';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      if (pair.slice(0, eq).trim().toLowerCase() === 'for') node = pair.slice(eq + 1);
    }
    return node;
  });
}

/**
 * Returns the client's address, normalised (IPv4-mapped → IPv4). Headers are read only when
 * the socket peer is a trusted proxy; an unusable hop ends the walk at the last trusted hop.
 * Never throws. With no usable socket address, returns it as given ('' when undefined).
 */
export function clientAddress(input: ClientAddressInput): string {
  const raw = input.socketAddress ?? '';
  const peer = parseIp(raw);
  if (peer === null) return raw;
  const trusted = Array.isArray(input.trustedProxies) ? createCidrSet(input.trustedProxies as readonly string[]) : (input.trustedProxies as CidrSet);
  if (trusted.size === 0 || !trusted.has(peer)) return formatIp(peer);
  const mode = input.header ?? null;
  if (mode === null) return formatIp(peer);
  const text = headerText(input.headers, mode);
  if (text === null) return formatIp(peer);
  let hops: (string | null)[];
  if (text.length > MAX_HEADER) hops = [null];
  else hops = mode === 'forwarded' ? forwardedHops(text) : text.split(',');
  let last = peer;
  for (let i = hops.length - 1, n = 0; i >= 0 && n < MAX_HOPS; i--, n++) {
    const hop = hops[i];
    const addr = hop === null || hop === undefined ? null : parseNode(hop);
    if (addr === null) return formatIp(last);
    if (!trusted.has(addr)) return formatIp(addr);
    last = addr;
  }
  return formatIp(last);
}

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

export interface ClientAddressResolverOptions {
  trustedProxies: readonly string[];
  header: ForwardedHeader | null | undefined;
  logger: Pick<GeoLogger, 'warn'>;
  /** Least time between two "forwarding header from an untrusted peer" warnings (ms). */
  warnEveryMs?: number;
  now?: () => number;
}

/**
 * clientAddress bound to the configuration, warning (once at build, and at most once a
 * minute after) about set-ups in which a forwarding header is sent but cannot be believed:
 * proxies trusted with no header named, or forwarding headers arriving from an untrusted peer
 * (a misconfigured proxy, or a client trying to choose its location).
 */
export function createClientAddressResolver(opts: ClientAddressResolverOptions): (socketAddress: string | undefined, headers: HeaderBag) => string {
  const trustedProxies = createCidrSet(opts.trustedProxies);
  const header = opts.header ?? null;
  if (trustedProxies.size > 0 && header === null) {
    opts.logger.warn(
      { trustedProxies: opts.trustedProxies },
      'TRUSTED_PROXIES is set but FORWARDED_HEADER is not: no forwarding header is believed, every client is located at the proxy. Set FORWARDED_HEADER=x-forwarded-for or forwarded (the one your proxy sets).',
    );
  }
  const every = opts.warnEveryMs ?? 60_000;
  const now = opts.now ?? Date.now;
  let lastWarn = -Infinity;
  let suppressed = 0;
  return (socketAddress, headers) => {
    const address = clientAddress({ socketAddress, headers, trustedProxies, header });
    if (FORWARDING_HEADERS.some((h) => headers[h] !== undefined)) {
      const peer = parseIp(socketAddress ?? '');
      if (peer !== null && !trustedProxies.has(peer)) {
        const t = now();
        if (t - lastWarn >= every) {
          opts.logger.warn(
            { peer: formatIp(peer), headers: FORWARDING_HEADERS.filter((h) => headers[h] !== undefined), suppressed },
            'forwarding headers from a peer not in TRUSTED_PROXIES were ignored (a proxy missing from TRUSTED_PROXIES, or a client choosing its location)',
          );
          lastWarn = t;
          suppressed = 0;
        } else suppressed++;
      }
    }
    return address;
  };
}
