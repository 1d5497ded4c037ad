/** CIDR blocks for IPv4 and IPv6, and a set of them answering membership by binary search. */
import { AppError } from '../../protocol/errors.js';
import { formatIp, isV4Mapped, parseIp, parseIpRaw, type ParsedIp } from './ip.js';

/** One block; `start`/`end` are the first and last address, inclusive. */
export type Cidr =
  | { readonly version: 4; readonly prefix: number; readonly start: number; readonly end: number }
  | { readonly version: 6; readonly prefix: number; readonly start: bigint; readonly end: bigint };

/** Parses "a.b.c.d/n", "x::y/n" or a bare address (a /32 or /128); null when malformed. */
export function parseCidr(text: string): Cidr | null {
  const r = tryParseCidr(text);
  return typeof r === 'string' ? null : r;
}

/** Like parseCidr, but throws AppError('VALIDATION_FAILED') saying what is wrong. */
export function parseCidrOrThrow(text: string, what = 'CIDR'): Cidr {
  const r = tryParseCidr(text);
  if (typeof r === 'string') throw new AppError('VALIDATION_FAILED', `${what} "${text}": ${r}`, { value: text });
  return r;
}

function tryParseCidr(input: string): Cidr | string {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const addr = parseIpRaw(addrText);
  if (addr === null) return 'not an IPv4 or IPv6 address';
  if (addrText.includes('%')) return 'zone identifiers are not allowed in a CIDR';
  const max = addr.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > max) return `prefix length must be 0-${max}`;
    prefix = Number(p);
  }
  if (addr.version === 4) {
    const size = 2 ** (32 - prefix);
    if (addr.value % size !== 0) return `host bits are set; did you mean ${formatIp({ version: 4, value: addr.value - (addr.value % size) })}/${prefix}?`;
    return { version: 4, prefix, start: addr.value, end: addr.value + size - 1 };
  }
  const hostBits = BigInt(128 - prefix);
  const hostMask = (1n << hostBits) - 1n;
  if ((addr.value & hostMask) !== 0n) return `host bits are set; did you mean ${formatIp({ version: 6, value: addr.value & ~hostMask })}/${prefix}?`;
  // An IPv4-mapped block (::ffff:10.0.0.0/104) means the IPv4 block, since addresses are normalised.
  if (prefix >= 96 && isV4Mapped(addr.value)) {
    const start = Number(addr.value & 0xffff_ffffn);
    return { version: 4, prefix: prefix - 96, start, end: start + 2 ** (128 - prefix) - 1 };
  }
  return { version: 6, prefix, start: addr.value, end: addr.value | hostMask };
}

/** The canonical text of a block, e.g. "10.0.0.0/8". */
export function formatCidr(c: Cidr): string {
  return `${formatIp(c.version === 4 ? { version: 4, value: c.start } : { version: 6, value: c.start })}/${c.prefix}`;
}

/** True when the parsed (normalised) address lies inside the block. */
export function cidrContains(c: Cidr, ip: ParsedIp): boolean {
  if (c.version === 4) return ip.version === 4 && ip.value >= c.start && ip.value <= c.end;
  return ip.version === 6 && ip.value >= c.start && ip.value <= c.end;
}

/** An immutable set of blocks; `has` is O(log n) after merging overlapping blocks. */
export interface CidrSet {
  /** Whether the address (text, normalised first, or already parsed) is in a block. Invalid text: false. */
  has(ip: string | ParsedIp): boolean;
  /** The blocks as given, canonicalised. */
  readonly cidrs: readonly Cidr[];
  readonly size: number;
}

type Range<T> = [T, T];

function merge<T extends number | bigint>(ranges: Range<T>[], adjacent: (end: T, start: T) => boolean): { starts: T[]; ends: T[] } {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const starts: T[] = [];
  const ends: T[] = [];
  for (const [s, e] of ranges) {
    const last = ends.length - 1;
    const lastEnd = ends[last];
    if (lastEnd !== undefined && (s <= lastEnd || adjacent(lastEnd, s))) {
      if (e > lastEnd) ends[last] = e;
    } else {
      starts.push(s);
      ends.push(e);
    }
  }
  return { starts, ends };
}

function search<T extends number | bigint>(starts: readonly T[], ends: readonly T[], v: T): boolean {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (v < (starts[mid] as T)) hi = mid - 1;
    else if (v > (ends[mid] as T)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Builds a CidrSet; throws AppError('VALIDATION_FAILED') naming the first malformed entry. */
export function createCidrSet(list: Iterable<string | Cidr>, what = 'CIDR'): CidrSet {
  const cidrs = [...list].map((x) => (typeof x === 'string' ? parseCidrOrThrow(x, what) : x));
  const v4 = merge<number>(
    cidrs.flatMap((c): Range<number>[] => (c.version === 4 ? [[c.start, c.end]] : [])),
    (e, s) => s === e + 1,
  );
  const v6 = merge<bigint>(
    cidrs.flatMap((c): Range<bigint>[] => (c.version === 6 ? [[c.start, c.end]] : [])),
    (e, s) => s === e + 1n,
  );
  return {
    cidrs,
    size: cidrs.length,
    has(ip) {
      const p = typeof ip === 'string' ? parseIp(ip) : ip;
      if (p === null) return false;
      return p.version === 4 ? search(v4.starts, v4.ends, p.value) : search(v6.starts, v6.ends, p.value);
    },
  };
}
