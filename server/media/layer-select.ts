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
    if (fit <= current && current < cap && i.headroomMs >= PROBE_AFTER_MS) {
      for (let l = current + 1; l <= cap; l++) if (rate(rates, l) > 0) return l;
    }
  }
  return fit;
}
