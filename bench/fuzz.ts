/**
 * The fuzz harness at volume: every target in test/fuzz (RTP/VP8/extensions, RTCP, the
 * forwarding path, publish SDP, the signaling dispatcher of an in-process server) with
 * `count` generated inputs each. Prints per target: inputs, crashes, distinct outcomes,
 * throughput, slowest input; then a markdown table for docs/benchmarks.md. Exit code 1 on
 * any crash. CI runs the same targets at 10^4 (test/fuzz/*.test.ts).
 *
 * Run: npx tsx bench/fuzz.ts [count=1000000] [target-substring] [seed=20261201]
 */
import os from 'node:os';
import { type FuzzReport, formatReport, runAsyncTarget, runTarget } from '../test/fuzz/runner.js';
import { signalingTarget } from '../test/fuzz/signaling.js';
import { syncTargets } from '../test/fuzz/targets.js';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const ONLY = process.argv[3] ?? '';
const SEED = Number(process.argv[4] ?? 20261201);
/** Signaling lanes (sockets at once): 4 was fastest on the 2-core machine. */
const LANES = 4;
/** Inputs per chunk: a chunk's report is printed as it finishes, so a long run shows progress. */
const CHUNK = 100_000;

function merge(into: FuzzReport | undefined, r: FuzzReport): FuzzReport {
  if (!into) return r;
  into.inputs += r.inputs;
  into.crashes += r.crashes;
  into.examples.push(...r.examples.slice(0, Math.max(0, 3 - into.examples.length)));
  for (const [k, v] of r.outcomes) into.outcomes.set(k, (into.outcomes.get(k) ?? 0) + v);
  into.ms += r.ms;
  into.perSecond = Math.round((into.inputs * 1000) / Math.max(1, into.ms));
  into.slowestMs = Math.max(into.slowestMs, r.slowestMs);
  return into;
}

const progress = (r: FuzzReport): void => {
  process.stderr.write(`  ${r.target}: ${r.inputs}/${COUNT}, ${r.crashes} crashes, ${r.perSecond}/s\n`);
};

const reports: FuzzReport[] = [];
console.log(`fuzz: ${COUNT} inputs per target, seed ${SEED}; node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(1)}`);
for (const target of syncTargets()) {
  if (!target.name.includes(ONLY)) continue;
  let total: FuzzReport | undefined;
  // Chunks continue the same target (its state carries over) with derived seeds.
  for (let done = 0, k = 0; done < COUNT; done += CHUNK, k++) {
    total = merge(total, runTarget(target, Math.min(CHUNK, COUNT - done), SEED + k));
    progress(total);
  }
  if (total) {
    total.seed = SEED;
    console.log(formatReport(total));
    reports.push(total);
  }
}
const sig = signalingTarget({ lanes: LANES });
if (sig.name.includes(ONLY)) {
  let total: FuzzReport | undefined;
  for (let done = 0, k = 0; done < COUNT; done += CHUNK, k++) {
    await sig.start();
    const r = await runAsyncTarget(sig, Math.min(CHUNK, COUNT - done), SEED + k, LANES);
    if (!(await sig.stop())) {
      r.crashes++;
      r.examples.push({ index: r.inputs, error: '/healthz did not answer 200 after the run', input: '' });
    }
    total = merge(total, r);
    progress(total);
  }
  if (total) {
    total.seed = SEED;
    console.log(formatReport(total));
    reports.push(total);
  }
}

console.log('\n| target | inputs | crashes | distinct outcomes | inputs/s | slowest input |');
console.log('|---|---|---|---|---|---|');
for (const r of reports)
  console.log(
    `| ${r.target} | ${r.inputs.toLocaleString('en')} | ${r.crashes} | ${r.outcomes.size} | ${r.perSecond.toLocaleString('en')} | ${r.slowestMs.toFixed(1)} ms |`,
  );
process.exitCode = reports.some((r) => r.crashes > 0) ? 1 : 0;
