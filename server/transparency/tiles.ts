/**
 * C2SP tlog-tiles: the tree as immutable tiles of 256 hashes (`tile/<L>/<N>[.p/<W>]`) and the
 * entries as bundles of uint16-length-prefixed leaves (`tile/entries/<N>[.p/<W>]`), so monitors
 * audit with static, cacheable fetches.
 */
import type { MerkleTree } from './merkle.js';

export const TILE_WIDTH = 256;
const TILE_HEIGHT = 8;

/** A tile or entry bundle address: level (or 'entries'), index, width (256 = full). */
export interface TileAddress {
  level: number | 'entries';
  index: number;
  width: number;
}

/** `<N>` as zero-padded 3-digit elements, all but the last prefixed with x (1234067 → x001/x234/067). */
export function formatTileIndex(n: number): string {
  const parts: string[] = [];
  let rest = n;
  do {
    parts.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return parts.map((p, i) => (i < parts.length - 1 ? `x${p}` : p)).join('/');
}

/** The path below the prefix, e.g. `tile/0/x001/234.p/7`. */
export function tilePath(a: TileAddress): string {
  return `tile/${a.level}/${formatTileIndex(a.index)}${a.width < TILE_WIDTH ? `.p/${a.width}` : ''}`;
}

/** Parse what follows `tile/`; null when it is not exactly a tile path the spec allows. */
export function parseTilePath(rest: string): TileAddress | null {
  const m = /^(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(rest);
  if (!m) return null;
  const level = m[1] === 'entries' ? 'entries' : Number(m[1]);
  if (level !== 'entries' && level > 63) return null;
  const digits = m[2]!.replace(/[x/]/g, '');
  if (digits.length > 15 || (digits.length > 3 && m[2]!.startsWith('x000'))) return null; // one spelling per index
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (width > TILE_WIDTH || (m[3] !== undefined && width === TILE_WIDTH)) return null; // a full tile has no .p/
  return { level, index: Number(digits), width };
}

/** The leaves a tile or bundle covers: [start, start + count) of level-0 positions… of its level. */
function covered(a: TileAddress): { height: number; first: number } {
  const height = a.level === 'entries' ? 0 : a.level * TILE_HEIGHT;
  return { height, first: a.index * TILE_WIDTH };
}

/** Whether the tree already holds every hash the tile needs (it never changes once it does). */
export function tileExists(tree: MerkleTree, a: TileAddress): boolean {
  const { height, first } = covered(a);
  return tree.subtreeHash(height, first + a.width - 1) !== null;
}

/** A level tile: `width` consecutive subtree hashes; null when the tree is not that big yet. */
export function tileBytes(tree: MerkleTree, a: TileAddress & { level: number }): Uint8Array | null {
  if (!tileExists(tree, a)) return null;
  const { height, first } = covered(a);
  const out = new Uint8Array(32 * a.width);
  for (let i = 0; i < a.width; i++) out.set(tree.subtreeHash(height, first + i)!, 32 * i);
  return out;
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function entryBundle(entries: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(entries.reduce((n, e) => n + 2 + e.length, 0));
  let at = 0;
  for (const e of entries) {
    if (e.length > 0xffff) throw new RangeError('an entry longer than 65,535 bytes cannot go in a bundle');
    out[at] = e.length >> 8;
    out[at + 1] = e.length & 0xff;
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}
