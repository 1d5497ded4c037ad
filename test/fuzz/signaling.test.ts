/**
 * CI run of the signaling fuzz target (bench/fuzz.ts runs it at 10^6): mutated frames of every
 * client message type over real WebSockets into an in-process server. No INTERNAL error, no
 * frame left unanswered, no abnormal close, /healthz still 200.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runAsyncTarget } from './runner.js';
import { signalingTarget } from './signaling.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

describe('fuzzing the signaling dispatcher', () => {
  it(`answers ${COUNT} mutated frames without an internal error, a stall or an abnormal close`, { timeout: 120_000 }, async () => {
    const target = signalingTarget({ lanes: 4 });
    await target.start();
    let healthy: boolean;
    try {
      const r = await runAsyncTarget(target, COUNT, SEED, target.lanes);
      console.log(formatReport(r));
      expect(r.inputs).toBe(COUNT);
      expect(r.examples).toEqual([]);
      expect(r.crashes).toBe(0);
      // Frames reach the handlers, not only the JSON and schema checks.
      expect([...r.outcomes.keys()].filter((k) => k.endsWith(':ok')).length).toBeGreaterThan(5);
    } finally {
      healthy = await target.stop();
    }
    expect(healthy).toBe(true);
  });
});
