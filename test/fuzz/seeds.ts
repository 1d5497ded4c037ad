/** Input helpers shared by the fuzz targets (targets.ts, forward-target.ts). */
import { type Rng, mutate, randomBytes } from './mutate.js';

/** Printable start of a packet, for crash reports. */
export const hex = (b: Buffer): string => b.toString('hex').slice(0, 200);

/** A packet input: a mutated seed most of the time, sometimes pure noise. */
export function packet(rng: Rng, seeds: readonly Buffer[]): Buffer {
  if (rng.chance(0.1)) return randomBytes(rng, 64);
  const seed = rng.pick(seeds);
  return rng.chance(0.05) ? Buffer.from(seed) : mutate(rng, seed);
}
