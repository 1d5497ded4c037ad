/**
 * CI run of the fuzz harness (bench/fuzz.ts runs the same targets at 10^6 each): generated and
 * mutated RTP/VP8/RTCP packets, forwarding with NACK and layer switches, and hostile publish
 * offers. Any exception escaping the code under test, or an oracle finding a read outside a
 * packet or a payload type / extension id the SFU does not offer, is a crash.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runTarget } from './runner.js';
import { syncTargets } from './targets.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

describe('fuzzing the SFU parsers of participant bytes', () => {
  for (const target of syncTargets()) {
    it(`${target.name}: ${COUNT} generated inputs, no crash`, () => {
      const r = runTarget(target, COUNT, SEED);
      console.log(formatReport(r));
      expect(r.inputs).toBe(COUNT);
      expect(r.examples).toEqual([]);
      expect(r.crashes).toBe(0);
      // The generator reaches more than the rejection path.
      expect(r.outcomes.size).toBeGreaterThan(2);
    });
  }
});
