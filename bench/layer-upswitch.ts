/**
 * Climbing back up after congestion: Chromium publisher Alice (960x540@30, simulcast q/h/f) and
 * Chromium viewer Bob with a large tile, whose media goes through the user-space relay
 * (test/net/udp-relay.ts). His link is capped at 300 kbps until the SFU has him on the lowest
 * layer, then the cap is lifted; prints how long Bob takes to be forwarded h and
 * f again (SFU slot state) and the width he decodes, per round. The SFU learns the new room only
 * from Bob's REMB, which grows toward 1.5 × what arrives: this measures the probe (layer-select.ts).
 *
 *   npx tsx bench/layer-upswitch.ts [rounds=3] [seconds-per-round=30]
 */
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { startHarness } from '../test/e2e/media-harness.js';
import { openMediaPage, untilTrue, videoQuality } from '../test/e2e/media-pages.js';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 30);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const harness = await startHarness({ relayFor: 'bob' });
const relay = harness.relay;
if (!relay) throw new Error('no relay');
const browser = await launchBrowser();
try {
  await openMediaPage(browser, harness.url, 'alice', true, { width: 960, height: 540, frameRate: 30 });
  const bob = await openMediaPage(browser, harness.url, 'bob', false);
  const slot = () => harness.media.slotInfo('bob').find((s) => s.publisherId === 'alice' && s.mid.startsWith('v'));
  if (!(await untilTrue(async () => (await videoQuality(bob, 'alice')).frames > 30, 20_000))) throw new Error('bob never decoded alice');
  console.log('round | on h after | on f after | width at end | freezes');
  console.log('---|---|---|---|---');
  for (let r = 1; r <= rounds; r++) {
    relay.set('both', { rateBps: 300_000, queueBytes: 20_000 });
    await untilTrue(async () => (slot()?.current ?? -1) === 0, 15_000);
    await sleep(3000);
    const q0 = await videoQuality(bob, 'alice');
    relay.set('both', {});
    const t0 = Date.now();
    let onH: number | null = null;
    let onF: number | null = null;
    while (Date.now() - t0 < seconds * 1000 && onF === null) {
      const cur = slot()?.current ?? -1;
      if (cur >= 1 && onH === null) onH = Date.now() - t0;
      if (cur >= 2) onF = Date.now() - t0;
      await sleep(100);
    }
    const q1 = await videoQuality(bob, 'alice');
    const fmt = (ms: number | null): string => (ms === null ? `not in ${seconds} s` : `${(ms / 1000).toFixed(1)} s`);
    console.log(`${r} | ${fmt(onH)} | ${fmt(onF)} | ${q1.width} | ${q1.freezeCount - q0.freezeCount}`);
  }
} finally {
  await browser.close();
  await harness.close();
}
