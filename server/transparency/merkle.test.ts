import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from './bytes.js';
import { leafHashOfText, nodeHasher, nodeSha256 } from './hash-node.js';
import { pureHasher } from './hasher.js';
import { MerkleTree, RootAccumulator, verifyConsistency, verifyInclusion } from './merkle.js';

// ---- The RFC 9162 §2.1 definitions, written out naively (memoised on the leaf range). ----
const leafData = (i: number): Uint8Array => utf8(`leaf ${i}`);
const memo = new Map<string, Uint8Array>();
function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
/** MTH(D[a:b]) */
function mth(a: number, b: number): Uint8Array {
  const n = b - a;
  if (n === 0) return nodeSha256();
  const key = `${a}:${b}`;
  const hit = memo.get(key);
  if (hit) return hit;
  let h: Uint8Array;
  if (n === 1) h = nodeSha256(new Uint8Array([0]), leafData(a));
  else {
    const k = largestPow2Below(n);
    h = nodeSha256(new Uint8Array([1]), mth(a, a + k), mth(a + k, b));
  }
  memo.set(key, h);
  return h;
}
/** PATH(m, D[a:b]) with m absolute. */
function naivePath(m: number, a: number, b: number): Uint8Array[] {
  const n = b - a;
  if (n <= 1) return [];
  const k = largestPow2Below(n);
  return m - a < k ? [...naivePath(m, a, a + k), mth(a + k, b)] : [...naivePath(m, a + k, b), mth(a, a + k)];
}
/** SUBPROOF(m, D[a:b], b) with m relative to a. */
function naiveSubproof(m: number, a: number, b: number, complete: boolean): Uint8Array[] {
  const n = b - a;
  if (m === n) return complete ? [] : [mth(a, b)];
  const k = largestPow2Below(n);
  return m <= k ? [...naiveSubproof(m, a, a + k, complete), mth(a + k, b)] : [...naiveSubproof(m - k, a + k, b, false), mth(a, a + k)];
}
const hexes = (xs: Uint8Array[]): string[] => xs.map(toHex);

const MAX = 2000;
const tree = new MerkleTree(nodeHasher);
for (let i = 0; i < MAX; i++) tree.appendEntry(leafData(i));

describe('MerkleTree against the RFC 9162 definitions', () => {
  it('matches the published RFC 6962 / 9162 test-vector roots for the 8 reference leaves', () => {
    const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    const t = new MerkleTree(nodeHasher);
    leaves.forEach((l, i) => {
      t.appendEntry(fromHex(l)!);
      expect(toHex(t.root())).toBe(roots[i]);
    });
  });

  it('gives the empty tree the hash of the empty string', () => {
    expect(toHex(new MerkleTree(nodeHasher).root())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hand-checked 3-leaf tree: root, paths and the 2→3 consistency proof', () => {
    const l = [0, 1, 2].map((i) => nodeSha256(new Uint8Array([0]), leafData(i)));
    const n01 = nodeSha256(new Uint8Array([1]), l[0]!, l[1]!);
    const root3 = nodeSha256(new Uint8Array([1]), n01, l[2]!);
    expect(toHex(tree.root(3))).toBe(toHex(root3));
    expect(hexes(tree.inclusionProof(0, 3))).toEqual(hexes([l[1]!, l[2]!]));
    expect(hexes(tree.inclusionProof(2, 3))).toEqual(hexes([n01]));
    expect(hexes(tree.consistencyProof(2, 3))).toEqual(hexes([l[2]!]));
    expect(hexes(tree.consistencyProof(1, 3))).toEqual(hexes([l[1]!, l[2]!]));
  });

  it('matches the naive MTH for every size 1…2000, and the streaming root too', () => {
    const acc = new RootAccumulator(nodeHasher);
    for (let n = 1; n <= MAX; n++) {
      acc.push(tree.leafHash(n - 1));
      const expected = toHex(mth(0, n));
      expect(toHex(tree.root(n))).toBe(expected);
      expect(toHex(acc.root())).toBe(expected);
    }
  });

  it('inclusion proofs equal PATH(m, D[n]) and verify, for sampled leaves of every size', () => {
    const rnd = fc.sample(fc.nat(), MAX * 3);
    for (let n = 1; n <= MAX; n++) {
      for (const m of new Set([0, n - 1, rnd[n * 3 - 1]! % n, rnd[n * 3 - 2]! % n])) {
        const proof = tree.inclusionProof(m, n);
        expect(hexes(proof)).toEqual(hexes(naivePath(m, 0, n)));
        expect(verifyInclusion(nodeHasher, m, n, tree.leafHash(m), proof, mth(0, n))).toBe(true);
      }
    }
  });

  it('consistency proofs equal PROOF(m, D[n]) and verify, for sampled pairs of every size', () => {
    const rnd = fc.sample(fc.nat(), MAX * 2);
    for (let n = 1; n <= MAX; n++) {
      for (const m of new Set([1, n, Math.max(1, n - 1), 1 + (rnd[n * 2 - 1]! % n)])) {
        const proof = tree.consistencyProof(m, n);
        expect(hexes(proof)).toEqual(m === n ? [] : hexes(naiveSubproof(m, 0, n, true)));
        expect(verifyConsistency(nodeHasher, m, n, mth(0, m), mth(0, n), proof)).toBe(true);
      }
    }
  });

  it('rejects any altered inclusion or consistency proof', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: MAX }), fc.nat(), fc.nat(), fc.nat(), (n, a, b, bit) => {
        const m = a % n;
        const proof = tree.inclusionProof(m, n).map((p) => new Uint8Array(p));
        const target = proof[b % proof.length]!;
        target[bit % 32] = target[bit % 32]! ^ 1;
        expect(verifyInclusion(nodeHasher, m, n, tree.leafHash(m), proof, tree.root(n))).toBe(false);
        // The right proof for the wrong index or size fails too.
        const good = tree.inclusionProof(m, n);
        expect(verifyInclusion(nodeHasher, (m + 1) % n, n, tree.leafHash(m), good, tree.root(n))).toBe(false);
        const first = 1 + (b % (n - 1));
        const cons = tree.consistencyProof(first, n).map((p) => new Uint8Array(p));
        const c = cons[a % cons.length]!;
        c[bit % 32] = c[bit % 32]! ^ 1;
        expect(verifyConsistency(nodeHasher, first, n, tree.root(first), tree.root(n), cons)).toBe(false);
        expect(verifyConsistency(nodeHasher, first, n, tree.root(first), tree.root(n), tree.consistencyProof(first, n).slice(1))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses sizes and indexes outside the tree', () => {
    expect(() => tree.root(MAX + 1)).toThrow(RangeError);
    expect(() => tree.inclusionProof(5, 5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(6, 5)).toThrow(RangeError);
    expect(verifyInclusion(nodeHasher, 5, 5, tree.leafHash(0), [], tree.root(5))).toBe(false);
    expect(verifyConsistency(nodeHasher, 6, 5, tree.root(5), tree.root(5), [])).toBe(false);
  });

  it('the browser hasher and the node hasher build the same tree', () => {
    const t = new MerkleTree(pureHasher);
    for (let i = 0; i < 300; i++) t.appendEntry(leafData(i));
    expect(toHex(t.root())).toBe(toHex(tree.root(300)));
    expect(hexes(t.consistencyProof(77, 300))).toEqual(hexes(tree.consistencyProof(77, 300)));
  });
});

describe('node:crypto hasher', () => {
  it('hashes leaves (bytes or text) and interior nodes exactly as the portable hasher', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 3000 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (text, l, r) => {
          const bytes = utf8(text);
          const want = toHex(pureHasher.leaf(bytes));
          expect(toHex(nodeHasher.leaf(bytes))).toBe(want);
          expect(toHex(leafHashOfText(text))).toBe(want);
          expect(toHex(nodeHasher.node(l, r))).toBe(toHex(pureHasher.node(l, r)));
        },
      ),
      { numRuns: 300 },
    );
    // The scratch buffer grows past its first size and stays correct.
    const big = 'é'.repeat(5000);
    expect(toHex(leafHashOfText(big))).toBe(toHex(pureHasher.leaf(utf8(big))));
  });
});
