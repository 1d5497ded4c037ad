/** Runs fuzz targets and reports per target: inputs, crashes, outcomes, throughput, slowest input. */
import { Rng } from './mutate.js';

/** One synchronous fuzz target: inputs from a PRNG, an outcome label per input. */
export interface FuzzTarget<T = unknown> {
  readonly name: string;
  /** Generate the next input. */
  next(rng: Rng): T;
  /** Run one input; return an outcome label. Throwing means the code under test failed. */
  run(input: T): string;
  /** Short printable form of an input, for crash reports. */
  show(input: T): string;
}

export interface FuzzReport {
  target: string;
  seed: number;
  inputs: number;
  crashes: number;
  /** The first few crashes: error, input index and a printable input. */
  examples: { index: number; error: string; input: string }[];
  /** Outcome label → count (the distinct error codes / paths reached). */
  outcomes: Map<string, number>;
  ms: number;
  perSecond: number;
  /** Slowest single input, in ms (a stall shows here). */
  slowestMs: number;
}

function newReport(target: string, seed: number): FuzzReport {
  return { target, seed, inputs: 0, crashes: 0, examples: [], outcomes: new Map(), ms: 0, perSecond: 0, slowestMs: 0 };
}

function record(r: FuzzReport, i: number, outcome: string | null, err: unknown, show: () => string, ms: number): void {
  r.inputs++;
  if (ms > r.slowestMs) r.slowestMs = ms;
  if (outcome !== null) {
    r.outcomes.set(outcome, (r.outcomes.get(outcome) ?? 0) + 1);
    return;
  }
  r.crashes++;
  r.outcomes.set('CRASH', (r.outcomes.get('CRASH') ?? 0) + 1);
  if (r.examples.length < 3) r.examples.push({ index: i, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), input: show() });
}

function finish(r: FuzzReport, t0: number): FuzzReport {
  r.ms = performance.now() - t0;
  r.perSecond = Math.round((r.inputs * 1000) / Math.max(1, r.ms));
  return r;
}

/** Run `count` generated inputs through a synchronous target. */
export function runTarget<T>(t: FuzzTarget<T>, count: number, seed: number): FuzzReport {
  const rng = new Rng(seed);
  const r = newReport(t.name, seed);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const input = t.next(rng);
    const s = performance.now();
    let outcome: string | null = null;
    let err: unknown;
    try {
      outcome = t.run(input);
    } catch (e) {
      err = e;
    }
    record(r, i, outcome, err, () => t.show(input), performance.now() - s);
  }
  return finish(r, t0);
}

/** An asynchronous target (the signaling server): `run` resolves to an outcome or rejects on a crash. */
export interface AsyncFuzzTarget<T> {
  readonly name: string;
  next(rng: Rng): T;
  /** `lane` is the runner's lane (0 ≤ lane < concurrency) running this input. */
  run(input: T, lane: number): Promise<string>;
  show(input: T): string;
}

/** Run `count` inputs, `concurrency` at a time. */
export async function runAsyncTarget<T>(t: AsyncFuzzTarget<T>, count: number, seed: number, concurrency = 1): Promise<FuzzReport> {
  const rng = new Rng(seed);
  const r = newReport(t.name, seed);
  const t0 = performance.now();
  let i = 0;
  async function lane(n: number): Promise<void> {
    while (i < count) {
      const index = i++;
      const input = t.next(rng);
      const s = performance.now();
      let outcome: string | null = null;
      let err: unknown;
      try {
        outcome = await t.run(input, n);
      } catch (e) {
        err = e;
      }
      record(r, index, outcome, err, () => t.show(input), performance.now() - s);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, n) => lane(n)));
  return finish(r, t0);
}

/** One printable block per report. */
export function formatReport(r: FuzzReport): string {
  const outcomes = [...r.outcomes].sort((a, b) => b[1] - a[1]);
  const lines = [
    `${r.target}: ${r.inputs} inputs, ${r.crashes} crashes, ${outcomes.length} distinct outcomes, ${r.perSecond} inputs/s (${(r.ms / 1000).toFixed(1)} s, slowest input ${r.slowestMs.toFixed(2)} ms, seed ${r.seed})`,
    `  outcomes: ${outcomes.map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ];
  for (const e of r.examples) lines.push(`  crash #${e.index}: ${e.error}\n    input: ${e.input}`);
  return lines.join('\n');
}
