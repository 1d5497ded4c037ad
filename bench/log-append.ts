/**
 * Append throughput of the transparency log on SQLite (a file in a temp dir), with group
 * commit. Run: npx tsx bench/log-append.ts [entries]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openStorage } from '../server/storage/index.js';
import { createTransparencyLog } from '../server/transparency/index.js';
import { buildEntry } from '../server/transparency/factories.js';

const N = Number(process.argv[2] ?? 20_000);

async function run(label: string, synchronous: 'NORMAL' | 'FULL', mode: 'burst' | 'writers' | 'serial'): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const storage = await openStorage({ sqlitePath: path.join(dir, 'db.sqlite') });
  await sql.raw(`PRAGMA synchronous = ${synchronous}`).execute(storage.db);
  const log = await createTransparencyLog({
    db: storage.db,
    dialect: storage.dialect,
    sqlite: storage.sqlite,
    origin: 'bench.parley/log',
    checkpointIntervalMs: 0,
  });
  const n = mode === 'serial' ? Math.min(N, 2000) : N;
  const entries = Array.from({ length: n }, (_, i) => buildEntry(i));
  const t0 = performance.now();
  if (mode === 'burst') {
    await Promise.all(entries.map((e) => log.append(e)));
  } else if (mode === 'writers') {
    // 200 callers, each awaiting its append before the next (like request handlers).
    let next = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (next < n) await log.append(entries[next++]!);
      }),
    );
  } else {
    for (const e of entries) await log.append(e);
  }
  const ms = performance.now() - t0;
  if (log.size() !== n) throw new Error(`expected ${n} entries, got ${log.size()}`);
  console.log(`${label.padEnd(52)} ${String(n).padStart(6)} entries  ${(n / (ms / 1000)).toFixed(0).padStart(7)} entries/s  (${(ms / n).toFixed(3)} ms/entry)`);
  await log.close();
  await storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

console.log(`transparency log append, SQLite file, node ${process.version}`);
await run('burst (all appends in one tick), synchronous=NORMAL', 'NORMAL', 'burst');
await run('200 concurrent awaiting writers, synchronous=NORMAL', 'NORMAL', 'writers');
await run('200 concurrent awaiting writers, synchronous=FULL', 'FULL', 'writers');
await run('one serial writer (no batching possible), NORMAL', 'NORMAL', 'serial');
await run('one serial writer (no batching possible), FULL', 'FULL', 'serial');
