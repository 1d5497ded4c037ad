/**
 * Seeded input generation for the fuzz harness: a small PRNG (mulberry32, so a failing input
 * is reproduced from its seed and index) and structure-aware byte mutators.
 */

/** Deterministic 32-bit PRNG; `int(n)` is uniform in [0, n). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
}

/** Byte values that sit on boundaries parsers get wrong (lengths, flags, counts). */
const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x10, 0x1f, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0xbe, 0xc0, 0xde, 0xef, 0xf0, 0xfe, 0xff];

/** Uniformly random bytes of a random length up to `max`. */
export function randomBytes(rng: Rng, max: number): Buffer {
  const b = Buffer.allocUnsafe(rng.int(max + 1));
  for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
  return b;
}

/**
 * Apply 1–4 mutations to a copy of `seed`: bit flips, interesting bytes, 16-bit length
 * fields set to extremes, truncation (the usual way a descriptor ends one byte early),
 * extension, byte insertion and deletion.
 */
export function mutate(rng: Rng, seed: Buffer): Buffer {
  let b = Buffer.from(seed);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const at = b.length === 0 ? 0 : rng.int(b.length);
    switch (rng.int(8)) {
      case 0:
        if (b.length > 0) b[at] = (b[at] as number) ^ (1 << rng.int(8));
        break;
      case 1:
        if (b.length > 0) b[at] = rng.pick(INTERESTING);
        break;
      case 2:
        if (b.length > 1) b.writeUInt16BE(rng.pick([0, 1, 2, 0x7fff, 0x8000, 0xfffe, 0xffff, rng.int(0x10000)]), Math.min(at, b.length - 2));
        break;
      case 3:
        b = b.subarray(0, rng.int(b.length + 1));
        break;
      case 4:
        b = Buffer.concat([b, randomBytes(rng, 8)]);
        break;
      case 5:
        b = Buffer.concat([b.subarray(0, at), Buffer.from([rng.int(256)]), b.subarray(at)]);
        break;
      case 6:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rng.int(4))]);
        break;
      default:
        if (b.length > 0) b[at] = rng.int(256);
    }
  }
  return Buffer.from(b);
}

/** Mutate text line-wise: drop, duplicate, truncate or corrupt lines, or splice numbers in. */
export function mutateLines(rng: Rng, text: string, pool: readonly string[]): string {
  const lines = text.split('\r\n');
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const at = rng.int(lines.length);
    const line = lines[at] ?? '';
    switch (rng.int(7)) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, line);
        break;
      case 2:
        lines[at] = line.slice(0, rng.int(line.length + 1));
        break;
      case 3:
        lines.splice(at, 0, rng.pick(pool));
        break;
      case 4:
        lines[at] = line.replace(/\d+/, () => String(rng.pick([0, 1, 14, 15, 16, 95, 96, 127, 128, 255, 256, 65535, 4294967296, -1, rng.int(1e6)])));
        break;
      case 5: {
        const count = 1 + rng.int(rng.chance(0.1) ? 400 : 8);
        lines.splice(at, 0, ...Array.from({ length: count }, () => rng.pick(pool)));
        break;
      }
      default: {
        const i = rng.int(line.length + 1);
        lines[at] = line.slice(0, i) + rng.pick([' ', ':', '/', '\t', '', '*', 'x', '0', '\u0000']) + line.slice(i + 1);
      }
    }
  }
  return lines.join(rng.chance(0.1) ? '\n' : '\r\n');
}
