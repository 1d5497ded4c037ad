/**
 * Pure simulcast layer choice for one subscriber's view of one publisher's video.
 * Layers are indexed 0 = q, 1 = h, 2 = f.
 */
import type { Layer } from '../../protocol/signaling.js';

export const LAYER_NAMES: readonly Layer[] = ['q', 'h', 'f'];
export const layerIndex = (l: Layer): number => LAYER_NAMES.indexOf(l);

/** How long the estimate must leave headroom before trying the next layer up. */
export const PROBE_AFTER_MS = 4000;

export interface LayerChoiceInput {
  /** Highest layer the subscriber wants (tile size). */
  preferred: number;
  /** Measured bitrate per layer in bps; 0 = layer not arriving. */
  rates: readonly number[];
  /** Bandwidth available for this stream (bps); Infinity when unknown. */
  budget: number;
  /** Layer currently forwarded, -1 when none. */
  current: number;
  /** How long the budget has stayed ≥ 1.3 × the current layer's rate. */
  headroomMs: number;
  /** Headroom needed before a probe (PROBE_AFTER_MS, longer after failed probes). */
  probeAfterMs?: number;
}

const rate = (rates: readonly number[], l: number): number => rates[l] ?? 0;

/** Choose the layer to forward, or -1 when no layer is arriving. */
export function chooseLayer(i: LayerChoiceInput): number {
  const { rates, budget, current } = i;
  let cap = -1;
  for (let l = Math.min(i.preferred, rates.length - 1); l >= 0; l--)
    if (rate(rates, l) > 0) {
      cap = l;
      break;
    }
  if (cap < 0) {
    for (let l = 0; l < rates.length; l++) if (rate(rates, l) > 0) return l;
    return -1;
  }
  let fit = -1;
  for (let l = cap; l >= 0; l--) {
    if (rate(rates, l) === 0) continue;
    if (rate(rates, l) <= budget) {
      fit = l;
      break;
    }
    fit = l;
  }
  if (current >= 0 && rate(rates, current) > 0) {
    if (fit > current && rate(rates, fit) * 1.1 > budget) fit = current;
    if (fit <= current && current < cap && i.headroomMs >= (i.probeAfterMs ?? PROBE_AFTER_MS)) {
      for (let l = current + 1; l <= cap; l++) if (rate(rates, l) > 0) return l;
    }
  }
  return fit;
}

/**
 * A probe up: the subscriber is sent a layer its receiver's estimate (REMB) does not cover yet.
 * REMB grows only toward 1.5 × what actually arrives (about 8 % a second), so it can only reach
 * the next layer while that layer is being sent: the probe holds the layer while the estimate
 * keeps up, and gives up when it falls (the receiver saw queuing delay grow) or never gets there.
 */
export interface Probe {
  /** Layer probed. */
  to: number;
  since: number;
  /** Highest estimate seen during the probe. */
  peak: number;
}

/** Longest a probe may wait for the estimate to grow into the new layer. */
export const PROBE_HOLD_MS = 15_000;
/** The probe fails when the estimate falls this far below its peak during the probe. */
export const PROBE_BACKOFF = 0.85;
/** After failed probes the wait before the next doubles, up to this. */
export const PROBE_AFTER_MAX_MS = 32_000;

/**
 * What happens to a probe this tick: 'hold' (keep forwarding `to`; `peak` updated), 'done' (the
 * estimate now covers the layer: ordinary choice from here) or 'failed' (go back down).
 */
export function probeVerdict(p: Probe, now: number, budget: number, rates: readonly number[]): 'hold' | 'done' | 'failed' {
  const need = rate(rates, p.to);
  if (need === 0) return 'failed';
  if (budget >= need) return 'done';
  if (budget < PROBE_BACKOFF * p.peak || now - p.since > PROBE_HOLD_MS) return 'failed';
  if (budget > p.peak) p.peak = budget;
  return 'hold';
}
