/**
 * The impairment scenarios of issue 14 and their runner, shared by bench/media-impairment.ts
 * (Parley's SFU) and bench/janus-impairment.ts (Janus VideoRoom) so both are measured alike:
 * the same relay settings, seconds, order and printed table.
 */
import type { VideoQuality } from '../test/e2e/media-pages.js';
import type { Impairment, UdpRelay } from '../test/net/udp-relay.js';

/** What the runner reads from the viewer (Bob): his decoding of the publisher's video. */
export interface ImpairedViewer {
  quality(): Promise<VideoQuality>;
  /** Video bytes received so far on the viewer's current connection(s). */
  videoBytesIn(): Promise<number>;
}

export const STEADY_SCENARIOS: readonly (readonly [string, Impairment])[] = [
  ['clean', {}],
  ['1 Mbps, 3 % loss, 100 ms RTT', { rateBps: 1_000_000, loss: 0.03, delayMs: 50, jitterMs: 5, queueBytes: 40_000 }],
  ['5 % loss', { loss: 0.05 }],
  ['300 ms RTT, 30 ms jitter', { delayMs: 150, jitterMs: 30 }],
  ['500 kbps cap', { rateBps: 500_000, queueBytes: 30_000 }],
];

/** Outage lengths in seconds (all of the viewer's traffic dropped, then restored). */
export const OUTAGES_S: readonly number[] = [10, 40];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Run every steady scenario for `seconds` (after 3 s to settle) and print a table row each,
 * then each outage and the time from the network's return to two more decoded frames (-1: not
 * within 30 s). `outageNote` adds the system's own recovery count to each outage line.
 */
export async function runImpairmentScenarios(
  viewer: ImpairedViewer,
  relay: UdpRelay,
  seconds: number,
  outageNote: () => string | Promise<string> = () => '',
): Promise<void> {
  console.log('scenario | fps | freezes | frozen s | kbps in | size');
  console.log('---|---|---|---|---|---');
  for (const [name, imp] of STEADY_SCENARIOS) {
    relay.set('both', imp);
    await sleep(3000);
    const bytes0 = await viewer.videoBytesIn();
    const a = await viewer.quality();
    await sleep(seconds * 1000);
    const b = await viewer.quality();
    const bytes1 = await viewer.videoBytesIn();
    console.log(
      `${name} | ${((b.frames - a.frames) / seconds).toFixed(1)} | ${b.freezeCount - a.freezeCount} | ${(b.totalFreezesDuration - a.totalFreezesDuration).toFixed(2)} | ${Math.round(((bytes1 - bytes0) * 8) / seconds / 1000)} | ${b.width}x${b.height}`,
    );
  }
  relay.set('both', {});
  for (const s of OUTAGES_S) {
    await sleep(3000);
    relay.set('both', { blocked: true });
    await sleep(s * 1000);
    relay.set('both', {});
    const t0 = Date.now();
    let last = (await viewer.quality()).frames;
    let back = -1;
    while (Date.now() - t0 < 30_000) {
      await sleep(250);
      const now = (await viewer.quality()).frames;
      if (now - last >= 2) {
        back = Date.now() - t0;
        break;
      }
      last = now;
    }
    console.log(`${s} s outage | video back after ${back} ms${await outageNote()}`);
  }
}
