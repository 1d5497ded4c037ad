/**
 * The client's public address as the server sees it: the socket peer, unless that peer is a
 * configured trusted proxy, in which case the proxies' forwarding headers are walked from the
 * right (the hop nearest to us) to the first address that is not a trusted proxy.
 */
import { createCidrSet, type CidrSet } from './cidr.js';
import { formatIp, parseIp, type ParsedIp } from './ip.js';

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ClientAddressInput {
  /** request.socket.remoteAddress */
  socketAddress: string | undefined;
  /** Request headers with lowercase names (as Node and Fastify give them). */
  headers: HeaderBag;
  /** TRUSTED_PROXIES as a CidrSet (build it once) or as the configured list. */
  trustedProxies: CidrSet | readonly string[];
  /**
   * Which header the trusted proxies set. Default 'auto': Forwarded when present, else
   * X-Forwarded-For. Pin it when the proxy passes a client-sent header of the other kind through.
   */
  header?: 'auto' | 'forwarded' | 'x-forwarded-for';
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
  const mode = input.header ?? 'auto';
  const fwd = mode === 'x-forwarded-for' ? null : headerText(input.headers, 'forwarded');
  const xff = mode === 'forwarded' ? null : headerText(input.headers, 'x-forwarded-for');
  let hops: (string | null)[];
  if (fwd !== null) hops = fwd.length > MAX_HEADER ? [null] : forwardedHops(fwd);
  else if (xff !== null) hops = xff.length > MAX_HEADER ? [null] : xff.split(',');
  else return formatIp(peer);
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
