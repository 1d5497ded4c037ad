/**
 * geo-recheck: after a location-database reload, how long does it take to re-locate every
 * live participant and find whose country changed? 10,000 participants, random public
 * addresses (90% IPv4, 10% IPv6). Target: ≤ 50 ms per 10,000.
 *
 *   npx tsx bench/geo-recheck.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { createLocator, defaultDatabasePath, formatIp, isReservedAddress, type Locator, type ParsedIp } from '../server/geo/index.js';

const PARTICIPANTS = 10_000;
const RUNS = 30;
const TARGET_MS = 50;

// Deterministic PRNG so runs are comparable.
let seed = 0x9e3779b9;
function rand32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}

/** IPv6 is sparsely allocated, so IPv6 participants are drawn until the database places one. */
function randomPublicAddress(locator: Locator): string {
  const v6 = rand32() % 10 === 0;
  for (let tries = 0; ; tries++) {
    const p: ParsedIp = v6
      ? { version: 6, value: (BigInt(0x2000 | (rand32() & 0x1fff)) << 112n) | (BigInt(rand32()) << 80n) | BigInt(rand32()) }
      : { version: 4, value: rand32() };
    if (isReservedAddress(p)) continue;
    const address = formatIp(p);
    if (!v6 || tries > 10_000 || locator.locate(address).status === 'known') return address;
  }
}

interface Participant {
  address: string;
  country: string | null;
}

function recheck(locator: Locator, participants: Participant[]): number {
  let changed = 0;
  for (const p of participants) {
    const loc = locator.locate(p.address);
    if (loc.country !== p.country) changed++;
  }
  return changed;
}

function stats(samples: number[]): { min: number; median: number; p95: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { min: s[0] ?? NaN, median: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? NaN };
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const full = defaultDatabasePath();
const ipv4Only = join(dirname(full), 'geo-whois-asn-country-ipv4.mmdb');
const locator = createLocator({ logger: silent });
const participants: Participant[] = Array.from({ length: PARTICIPANTS }, () => {
  const address = randomPublicAddress(locator);
  return { address, country: locator.locate(address).country };
});
const known = participants.filter((p) => p.country !== null).length;

function measure(): { s: ReturnType<typeof stats>; changed: number } {
  for (let i = 0; i < 3; i++) recheck(locator, participants); // warm-up
  const samples: number[] = [];
  let changed = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    changed = recheck(locator, participants);
    samples.push(performance.now() - t0);
  }
  return { s: stats(samples), changed };
}

let t = performance.now();
await locator.reload(ipv4Only);
const reloadToV4Ms = performance.now() - t;
const toV4 = measure();
t = performance.now();
await locator.reload(full);
const reloadToFullMs = performance.now() - t;
const toFull = measure();

const fmt = (n: number): string => n.toFixed(2);
const row = (label: string, r: { s: ReturnType<typeof stats>; changed: number }): string =>
  `- re-locate all + compare, ${label}, ${RUNS} runs: min ${fmt(r.s.min)} ms, median ${fmt(r.s.median)} ms, p95 ${fmt(r.s.p95)} ms, max ${fmt(r.s.max)} ms ` +
  `(median ${r.s.median <= TARGET_MS ? 'meets' : 'MISSES'} the ≤ ${TARGET_MS} ms target; ${fmt((r.s.median * 1000) / PARTICIPANTS)} µs per participant; ${r.changed} changed country)`;

const lines = [
  `- date: ${new Date().toISOString()}; node ${process.version}; ${cpus()[0]?.model ?? 'unknown cpu'} ×${cpus().length}; load average ${loadavg()[0]?.toFixed(2) ?? '?'} (shared machine: p95/max are noisy)`,
  `- participants: ${PARTICIPANTS} random public addresses (90% IPv4, 10% IPv6), ${known} located before the reload`,
  `- reload (read + validate + swap): to the IPv4-only file ${fmt(reloadToV4Ms)} ms; back to the full file ${fmt(reloadToFullMs)} ms`,
  row('after reload to the IPv4-only file (IPv6 participants become unknown)', toV4),
  row('after reload back to the full file', toFull),
];
console.log('geo-recheck');
for (const l of lines) console.log(l);

// Replace only our own section of docs/benchmarks.md; other benchmarks own the rest.
const docPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'benchmarks.md');
const section = `## geo-recheck\n\nRe-locating every live participant after a location-database reload (\`npx tsx bench/geo-recheck.ts\`).\n\n${lines.join('\n')}\n`;
const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
const re = /^## geo-recheck\n[\s\S]*?(?=^## |(?![\s\S]))/m;
const next = re.test(doc) ? doc.replace(re, `${section}\n`) : `${doc.trimEnd()}\n\n${section}`;
writeFileSync(docPath, next.trimEnd() + '\n');
