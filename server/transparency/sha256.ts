/**
 * SHA-256 (FIPS 180-4) in plain TypeScript, synchronous and dependency-free, so Merkle proofs
 * and checkpoint key hashes can be checked in a browser without awaiting WebCrypto per node.
 * The server uses node:crypto instead (see hash-node.ts); sha256.test.ts checks both agree.
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const W = new Uint32Array(64);

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

function compress(h: Uint32Array, block: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++) {
    const i = off + t * 4;
    W[t] = (block[i]! << 24) | (block[i + 1]! << 16) | (block[i + 2]! << 8) | block[i + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]!;
    const w2 = W[t - 2]!;
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
  }
  let a = h[0]!,
    b = h[1]!,
    c = h[2]!,
    d = h[3]!,
    e = h[4]!,
    f = h[5]!,
    g = h[6]!,
    k = h[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = (k + S1 + ch + K[t]! + W[t]!) | 0;
    const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + k) | 0;
}

/** SHA-256 of the concatenation of `parts` (avoids copying them together first). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = new Uint32Array(IV);
  const buf = new Uint8Array(64);
  let fill = 0;
  let total = 0;
  for (const part of parts) {
    total += part.length;
    let i = 0;
    if (fill > 0) {
      const take = Math.min(64 - fill, part.length);
      buf.set(part.subarray(0, take), fill);
      fill += take;
      i = take;
      if (fill === 64) {
        compress(h, buf, 0);
        fill = 0;
      }
    }
    for (; i + 64 <= part.length; i += 64) compress(h, part, i);
    if (i < part.length) {
      buf.set(part.subarray(i), 0);
      fill = part.length - i;
    }
  }
  buf.fill(0, fill);
  buf[fill] = 0x80;
  if (fill >= 56) {
    compress(h, buf, 0);
    buf.fill(0);
  }
  const bits = total * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  buf[56] = hi >>> 24;
  buf[57] = (hi >>> 16) & 255;
  buf[58] = (hi >>> 8) & 255;
  buf[59] = hi & 255;
  buf[60] = lo >>> 24;
  buf[61] = (lo >>> 16) & 255;
  buf[62] = (lo >>> 8) & 255;
  buf[63] = lo & 255;
  compress(h, buf, 0);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = h[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 255;
    out[i * 4 + 2] = (v >>> 8) & 255;
    out[i * 4 + 3] = v & 255;
  }
  return out;
}
