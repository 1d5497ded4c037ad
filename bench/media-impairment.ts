/**
 * Impairment benchmark (issue 14): Chromium publisher Alice (640x360@30, simulcast) and
 * Chromium Bob, whose media goes through the user-space relay (test/net/udp-relay.ts). Prints,
 * per scenario: Bob's decoded fps of Alice, freezes, received bitrate, and for outages the time
 * from the network's return to decoded video again.
 *
 * The scenarios and the table are bench/impairment-scenarios.ts (bench/janus-impairment.ts runs
 * the same against Janus).
 *
 *   npx tsx bench/media-impairment.ts [seconds-per-scenario=15]
 */
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { startHarness } from '../test/e2e/media-harness.js';
import { decodedFrom, openMediaPage, untilTrue, videoQuality } from '../test/e2e/media-pages.js';
import { runImpairmentScenarios } from './impairment-scenarios.js';

const seconds = Number(process.argv[2] ?? 15);

const harness = await startHarness({ relayFor: 'bob' });
const browser = await launchBrowser();
try {
  await openMediaPage(browser, harness.url, 'alice', true, { width: 640, height: 360, frameRate: 30 });
  const bob = await openMediaPage(browser, harness.url, 'bob', true, { width: 640, height: 360, frameRate: 30 });
  await untilTrue(async () => (await decodedFrom(bob, 'alice')) > 30, 20_000);
  const relay = harness.relay;
  if (!relay) throw new Error('no relay');
  const viewer = {
    quality: () => videoQuality(bob, 'alice'),
    videoBytesIn: () =>
      bob.evaluate(async () => {
        let n = 0;
        const p = (window as unknown as { parley: { client: { getStats(): Promise<{ subscriber?: RTCStatsReport }> } } }).parley;
        (await p.client.getStats()).subscriber?.forEach((s: { type: string; kind?: string; bytesReceived?: number }) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.bytesReceived ?? 0;
        });
        return n;
      }),
  };
  await runImpairmentScenarios(viewer, relay, seconds, () => ` | rebuilds so far ${harness.media.stats().rebuilds}`);
} finally {
  await browser.close();
  await harness.close();
}
