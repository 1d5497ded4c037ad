/**
 * Proof latency at 1,000,000 entries.
 *   npx tsx bench/log-proofs.ts [entries]            in-memory tree + leaf index (what the log serves from)
 *   npx tsx bench/log-proofs.ts [entries] --with-db  also seed a SQLite file and time the log's start-up
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { canonicalJson } from '../protocol/transparency.js';
import { openStorage } from '../server/storage/index.js';
import { createTransparencyLog } from '../server/transparency/index.js';
import { buildEntry } from '../server/transparency/factories.js';
import { nodeHasher } from '../server/transparency/hash-node.js';
import { toHex, utf8 } from '../server/transparency/bytes.js';
import { LeafIndex } from '../server/transparency/leaf-index.js';
import { MerkleTree } from '../server/transparency/merkle.js';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const WITH_DB = process.argv.includes('--with-db');
const SAMPLES = 2000;

function stats(label: string, times: number[]): void {
  const s = [...times].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  console.log(
    `${label.padEnd(34)} median ${(q(0.5) * 1000).toFixed(1).padStart(6)} µs   p99 ${(q(0.99) * 1000).toFixed(1).padStart(6)} µs   max ${(s.at(-1)! * 1000).toFixed(1)} µs`,
  );
}

const rnd = (n: number): number => Math.floor(Math.random() * n);

async function measure(
  label: string,
  inclusion: (leaf: number | string, size: number) => unknown,
  consistency: (first: number, second: number) => unknown,
): Promise<void> {
  const inc: number[] = [];
  const incHash: number[] = [];
  const cons: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const size = N - rnd(1000);
    const idx = rnd(size);
    let s = performance.now();
    await inclusion(idx, size);
    inc.push(performance.now() - s);
    const hash = Buffer.from(nodeHasher.leaf(utf8(canonicalJson(buildEntry(idx))))).toString('base64');
    s = performance.now();
    await inclusion(hash, size);
    incHash.push(performance.now() - s);
    const first = 1 + rnd(size - 1);
    s = performance.now();
    consistency(first, size);
    cons.push(performance.now() - s);
  }
  console.log(`${label}: proofs at ${N} entries (${SAMPLES} random each, random historical tree sizes):`);
  stats('  inclusion proof by index', inc);
  stats('  inclusion proof by leaf hash', incHash);
  stats('  consistency proof', cons);
}

{
  const t = performance.now();
  const rss = process.memoryUsage().rss;
  const tree = new MerkleTree(nodeHasher);
  const index = new LeafIndex(tree);
  for (let i = 0; i < N; i++) index.add(tree.appendEntry(utf8(canonicalJson(buildEntry(i)))));
  console.log(
    `in-memory tree of ${N} entries built in ${((performance.now() - t) / 1000).toFixed(1)} s, +${((process.memoryUsage().rss - rss) / 2 ** 20).toFixed(0)} MiB RSS`,
  );
  await measure(
    'tree (in memory)',
    (leaf, size) => tree.inclusionProof(typeof leaf === 'number' ? leaf : index.find(Buffer.from(leaf, 'base64'))!, size),
    (a, b) => tree.consistencyProof(a, b),
  );
}
if (!WITH_DB) process.exit(0);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
const file = path.join(dir, 'db.sqlite');
let storage = await openStorage({ sqlitePath: file }); // creates the schema
await storage.close();
let t0 = performance.now();
{
  // Seed through better-sqlite3 directly: this measures proofs, not the seeding path.
  const raw = new SQLite(file);
  const insert = raw.prepare('INSERT INTO log_entries (idx, entry, leaf_hash, created_at) VALUES (?, ?, ?, 0)');
  raw.transaction(() => {
    for (let i = 0; i < N; i++) {
      const entry = canonicalJson(buildEntry(i));
      insert.run(i, entry, toHex(nodeHasher.leaf(utf8(entry))));
    }
  })();
  raw.close();
}
console.log(`seeded ${N} entries directly in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

storage = await openStorage({ sqlitePath: file });
const rss0 = process.memoryUsage().rss;
t0 = performance.now();
const log = await createTransparencyLog({ db: storage.db, dialect: storage.dialect, origin: 'bench.parley/log', checkpointIntervalMs: 0 });
const openMs = performance.now() - t0;
console.log(
  `start-up: re-hash, rebuild tree and report from ${log.size()} rows: ${(openMs / 1000).toFixed(2)} s, +${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0)} MiB RSS`,
);
if (!log.integrity().ok) throw new Error('integrity check failed');

await measure(
  'log (SQLite start-up, then served from memory)',
  (leaf, size) => log.inclusionProof(leaf, size),
  (a, b) => log.consistencyProof(a, b),
);
await log.close();
await storage.close();
fs.rmSync(dir, { recursive: true, force: true });
