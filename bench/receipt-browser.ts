/**
 * Browser receipt verification time: a real Parley server (a log of N entries, 3 local witnesses
 * cosigning), headless Debian Chromium opening /transparency?entry=<random> R times. The page
 * marks `parley-receipt-verify` (signature, cosignatures against the pinned 2-of-3 policy,
 * inclusion proof: WebCrypto Ed25519 + the pure-TS SHA-256) and `parley-receipt` (from the first
 * fetch to a verified receipt: well-known, witnesses, receipt, check).
 *   npx tsx bench/receipt-browser.ts [entries=100000] [runs=30]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureWebBuilt, launchBrowser, newContext } from '../test/e2e/helpers/browser.js';
import { startParley } from '../test/integration/transparency-harness.js';
import { ORIGIN, seedLog, startLocalWitness, witnessesEnv } from '../test/integration/witness-harness.js';

const ENTRIES = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 30);

function pct(times: number[]): string {
  const s = [...times].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(1)} ms   p99 ${q(0.99).toFixed(1)} ms   min ${s[0]!.toFixed(1)} ms   max ${s.at(-1)!.toFixed(1)} ms`;
}

ensureWebBuilt();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-receipt-'));
const t0 = Date.now();
const logKey = await seedLog(dir, ENTRIES);
console.log(`seeded ${ENTRIES} entries in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const witnesses = await Promise.all(['w1', 'w2', 'w3'].map((w) => startLocalWitness(dir, `${w}.bench/witness`, logKey)));
const server = await startParley(dir, { LOG_ORIGIN: ORIGIN, WITNESSES: witnessesEnv(witnesses) });
for (;;) {
  const note = await (await fetch(`${server.url}/transparency/checkpoint`)).text();
  if (note.split('\n').filter((l) => l.startsWith('\u2014 w')).length === 3) break;
  await new Promise((r) => setTimeout(r, 200));
}
const browser = await launchBrowser();
const context = await newContext(browser, { baseURL: server.url });
const page = await context.newPage();
const verify: number[] = [];
const total: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const index = Math.floor(Math.random() * ENTRIES);
  await page.goto(`/transparency?entry=${index}`);
  await page.waitForFunction(() => ['ok', 'failed'].includes(document.querySelector('[data-testid="receipt"]')?.getAttribute('data-state') ?? ''), undefined, {
    timeout: 60_000,
  });
  const state = await page.getByTestId('receipt').getAttribute('data-state');
  if (state !== 'ok') throw new Error(`entry ${index}: ${await page.getByTestId('receipt-status').textContent()}`);
  const [v, t] = await page.evaluate(() => ['parley-receipt-verify', 'parley-receipt'].map((n) => performance.getEntriesByName(n).at(-1)?.duration ?? NaN));
  verify.push(v!);
  total.push(t!);
}
console.log(`date ${new Date().toISOString()}; node ${process.version}; load average ${os.loadavg()[0]!.toFixed(1)}; ${os.cpus().length} cores`);
console.log(`receipt for a random entry of ${ENTRIES}, ${RUNS} runs, Chromium (${browser.version()}), policy 2 of 3, all 3 cosigned`);
console.log(`  check only (signature + 3 cosignatures + inclusion proof): ${pct(verify)}`);
console.log(`  fetches + check (well-known, witnesses, receipt):           ${pct(total)}`);
await context.close();
await browser.close();
await server.stop();
for (const w of witnesses) await w.stop();
fs.rmSync(dir, { recursive: true, force: true });
