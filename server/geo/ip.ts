/**
 * IP address parsing and formatting, our own so that every layer (proxies, CIDR sets, test
 * map, reserved ranges) agrees on exactly which strings are addresses.
 */

/** A parsed address: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint. */
export type ParsedIp = { readonly version: 4; readonly value: number } | { readonly version: 6; readonly value: bigint };

const V4_MASK = 0xffff_ffffn;

/** Strict dotted-quad: four decimal octets, no leading zeros (which some stacks read as octal). */
export function parseIpv4(s: string): number | null {
  let value = 0;
  let octets = 0;
  let i = 0;
  const n = s.length;
  while (octets < 4) {
    const start = i;
    let octet = 0;
    while (i < n) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      octet = octet * 10 + c;
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || octet > 255 || (len > 1 && s.charCodeAt(start) === 48)) return null;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (s.charCodeAt(i) !== 46) return null;
      i++;
    }
  }
  return i === n ? value : null;
}

function hexGroups(parts: string[], out: number[]): boolean {
  for (const p of parts) {
    if (p.length === 0 || p.length > 4 || !/^[0-9a-fA-F]+$/.test(p)) return false;
    out.push(parseInt(p, 16));
  }
  return true;
}

/** RFC 4291 text forms, including `::` and a trailing dotted quad; a `%zone` is dropped. */
export function parseIpv6(input: string): bigint | null {
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (pct === s.length - 1) return null;
    s = s.slice(0, pct);
  }
  if (s.length < 2 || s.length > 45) return null;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const headText = dbl >= 0 ? s.slice(0, dbl) : s;
  const tailText = dbl >= 0 ? s.slice(dbl + 2) : '';
  const head = headText === '' ? [] : headText.split(':');
  const tail = tailText === '' ? [] : tailText.split(':');
  // A dotted quad may only be the very last piece of the address.
  const lastList = dbl >= 0 ? tail : head;
  let v4: number | null = null;
  const last = lastList[lastList.length - 1];
  if (last !== undefined && last.includes('.')) {
    v4 = parseIpv4(last);
    if (v4 === null) return null;
    lastList.pop();
  }
  const headGroups: number[] = [];
  const tailGroups: number[] = [];
  if (!hexGroups(head, headGroups) || !hexGroups(tail, tailGroups)) return null;
  if (v4 !== null) (dbl >= 0 ? tailGroups : headGroups).push(v4 >>> 16, v4 & 0xffff);
  const count = headGroups.length + tailGroups.length;
  if (dbl < 0 ? count !== 8 : count > 7) return null;
  const groups = [...headGroups, ...new Array<number>(8 - count).fill(0), ...tailGroups];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parses an address exactly as written (IPv4-mapped IPv6 stays IPv6); null when invalid. */
export function parseIpRaw(s: string): ParsedIp | null {
  if (s.includes(':')) {
    const value = parseIpv6(s);
    return value === null ? null : { version: 6, value };
  }
  const value = parseIpv4(s);
  return value === null ? null : { version: 4, value };
}

/** Parses and normalises: an IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes IPv4. */
export function parseIp(s: string): ParsedIp | null {
  const p = parseIpRaw(s);
  if (p !== null && p.version === 6 && isV4Mapped(p.value)) {
    return { version: 4, value: Number(p.value & V4_MASK) };
  }
  return p;
}

/** True when `value` lies in ::ffff:0:0/96. */
export function isV4Mapped(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** RFC 5952 canonical text: lowercase, no leading zeros, longest zero run (≥2) as `::`. */
export function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatIp(p: ParsedIp): string {
  return p.version === 4 ? formatIpv4(p.value) : formatIpv6(p.value);
}

/** The canonical text of an address (IPv4-mapped → IPv4), or null when it is not one. */
export function normaliseAddress(s: string): string | null {
  const p = parseIp(s);
  return p === null ? null : formatIp(p);
}
