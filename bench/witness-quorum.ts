/**
 * Checkpoint → cosignatures from 3 local witnesses (real HTTP on loopback, state fsynced), and
 * tile serving throughput.
 *   npx tsx bench/witness-quorum.ts [checkpoints]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { nodeVerifyEd25519 } from '../server/transparency/ed25519-node.js';
import { parseVerifierKey } from '../server/transparency/cosignature.js';
import { buildEntry } from '../server/transparency/factories.js';
import { openStorage } from '../server/storage/index.js';
import { createTransparencyLog, transparencyRoutes } from '../server/transparency/index.js';
import { createWitness } from '../server/transparency/witness.js';
import { serveWitness } from '../server/transparency/witness-server.js';
import { loadOrCreateKey, openWitnessStore } from '../server/transparency/witness-store.js';

const ROUNDS = Number(process.argv[2] ?? 300);
const ORIGIN = 'bench.parley/transparency';

function pct(times: number[]): string {
  const s = [...times].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(2)} ms   p99 ${q(0.99).toFixed(2)} ms   max ${s.at(-1)!.toFixed(2)} ms`;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-wq-'));
const storage = await openStorage({ sqlitePath: path.join(dir, 'log.db') });
// A first log to learn its key, then the witnesses, then the log that submits to them.
const probe = await createTransparencyLog({ db: storage.db, dialect: storage.dialect, origin: ORIGIN, checkpointIntervalMs: 0 });
const logKey = parseVerifierKey(probe.verifierKey)!;
await probe.close();
const witnesses = await Promise.all(
  [1, 2, 3].map(async (i) => {
    const wdir = path.join(dir, `w${i}`);
    fs.mkdirSync(wdir);
    const key = loadOrCreateKey(path.join(wdir, 'witness.key'));
    const w = createWitness({
      name: `w${i}.bench/witness`,
      ...key,
      logs: [{ origin: ORIGIN, keys: [logKey] }],
      store: openWitnessStore(path.join(wdir, 'state.json')),
      verifyEd25519: nodeVerifyEd25519,
    });
    const server = await serveWitness(w, { port: 0, host: '127.0.0.1' });
    const addr = server.address();
    return { server, config: { name: `w${i}`, key: w.verifierKey, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` } };
  }),
);
const log = await createTransparencyLog({
  db: storage.db,
  dialect: storage.dialect,
  sqlite: storage.sqlite,
  origin: ORIGIN,
  checkpointIntervalMs: 0,
  witnesses: witnesses.map((w) => w.config),
});

const times: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  await log.append(buildEntry(i));
  const t0 = performance.now();
  const cp = await log.publishNow();
  while (!log.witnesses().every((w) => w.cosignedSize === cp.treeSize)) await new Promise((r) => setImmediate(r));
  times.push(performance.now() - t0);
}
console.log(`checkpoint → 3 of 3 cosignatures (${ROUNDS} checkpoints)   ${pct(times)}`);
if (log.witnesses().some((w) => w.alarms > 0)) console.log('alarms:', JSON.stringify(log.witnesses()));

// Tile serving: level-0 full tiles and entry bundles from a 65,536-entry log, over HTTP.
for (let i = ROUNDS; i < 65_536; i += 2000) await log.appendMany(Array.from({ length: Math.min(2000, 65_536 - i) }, (_, k) => buildEntry(i + k)));
await log.publishNow();
const app = Fastify({ logger: false });
await app.register(transparencyRoutes, { log });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
for (const kind of ['0', 'entries']) {
  const N = 2000;
  const t0 = performance.now();
  let bytes = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, worker) => {
      for (let i = worker; i < N; i += 8) {
        const n = String(i % 256).padStart(3, '0');
        const res = await fetch(`${url}/transparency/tile/${kind}/${n}`);
        bytes += (await res.arrayBuffer()).byteLength;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  console.log(`tile/${kind}/<N> (full, 8 concurrent clients)   ${(N / s).toFixed(0)} tiles/s   ${(bytes / s / 1e6).toFixed(1)} MB/s`);
}
await app.close();
await log.close();
for (const w of witnesses) w.server.close();
await storage.close();
fs.rmSync(dir, { recursive: true, force: true });
