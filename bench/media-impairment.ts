/**
 * Impairment benchmark (issue 14): Chromium publisher Alice (640x360@30, simulcast) and
 * Chromium Bob, whose media goes through the user-space relay (test/net/udp-relay.ts). Prints,
 * per scenario: Bob's decoded fps of Alice, freezes, received bitrate, and for outages the time
 * from the network's return to decoded video again.
 *
 *   npx tsx bench/media-impairment.ts [seconds-per-scenario=15]
 */
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { startHarness } from '../test/e2e/media-harness.js';
import { decodedFrom, openMediaPage, untilTrue, videoQuality } from '../test/e2e/media-pages.js';
import type { Impairment } from '../test/net/udp-relay.js';

const seconds = Number(process.argv[2] ?? 15);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const steady: [string, Impairment][] = [
  ['clean', {}],
  ['1 Mbps, 3 % loss, 100 ms RTT', { rateBps: 1_000_000, loss: 0.03, delayMs: 50, jitterMs: 5, queueBytes: 40_000 }],
  ['5 % loss', { loss: 0.05 }],
  ['300 ms RTT, 30 ms jitter', { delayMs: 150, jitterMs: 30 }],
  ['500 kbps cap', { rateBps: 500_000, queueBytes: 30_000 }],
];
const outages = [10, 40];

const harness = await startHarness({ relayFor: 'bob' });
const browser = await launchBrowser();
try {
  await openMediaPage(browser, harness.url, 'alice', true, { width: 640, height: 360, frameRate: 30 });
  const bob = await openMediaPage(browser, harness.url, 'bob', true, { width: 640, height: 360, frameRate: 30 });
  await untilTrue(async () => (await decodedFrom(bob, 'alice')) > 30, 20_000);
  const relay = harness.relay;
  if (!relay) throw new Error('no relay');
  console.log('scenario | fps | freezes | frozen s | kbps in | size');
  console.log('---|---|---|---|---|---');
  for (const [name, imp] of steady) {
    relay.set('both', imp);
    await sleep(3000);
    const bytes0 = await bob.evaluate(async () => {
      let b = 0;
      const p = (window as unknown as { parley: { client: { getStats(): Promise<{ subscriber?: RTCStatsReport }> } } }).parley;
      (await p.client.getStats()).subscriber?.forEach((s: { type: string; kind?: string; bytesReceived?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') b += s.bytesReceived ?? 0;
      });
      return b;
    });
    const a = await videoQuality(bob, 'alice');
    await sleep(seconds * 1000);
    const b = await videoQuality(bob, 'alice');
    const bytes1 = await bob.evaluate(async () => {
      let n = 0;
      const p = (window as unknown as { parley: { client: { getStats(): Promise<{ subscriber?: RTCStatsReport }> } } }).parley;
      (await p.client.getStats()).subscriber?.forEach((s: { type: string; kind?: string; bytesReceived?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.bytesReceived ?? 0;
      });
      return n;
    });
    console.log(
      `${name} | ${((b.frames - a.frames) / seconds).toFixed(1)} | ${b.freezeCount - a.freezeCount} | ${(b.totalFreezesDuration - a.totalFreezesDuration).toFixed(2)} | ${Math.round(((bytes1 - bytes0) * 8) / seconds / 1000)} | ${b.width}x${b.height}`,
    );
  }
  relay.set('both', {});
  for (const s of outages) {
    await sleep(3000);
    relay.set('both', { blocked: true });
    await sleep(s * 1000);
    relay.set('both', {});
    const t0 = Date.now();
    let last = await decodedFrom(bob, 'alice');
    let back = -1;
    while (Date.now() - t0 < 30_000) {
      await sleep(250);
      const now = await decodedFrom(bob, 'alice');
      if (now - last >= 2) {
        back = Date.now() - t0;
        break;
      }
      last = now;
    }
    console.log(`${s} s outage | video back after ${back} ms | rebuilds so far ${harness.media.stats().rebuilds}`);
  }
} finally {
  await browser.close();
  await harness.close();
}
