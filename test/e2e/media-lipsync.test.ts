/**
 * Lip sync (issue 14 item 3): the SFU passes each publisher's RTCP sender reports on to every
 * subscriber, in the subscriber's timeline (rewritten SSRC and RTP timestamps, the publisher's
 * clock shifted onto the SFU's), and a person's audio and video lines share one msid stream,
 * so the browser can line them up. Real Chromium pages, the real SFU.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './helpers/browser.js';
import { type Harness, startHarness } from './media-harness.js';
import { decodedFrom, openMediaPage, untilTrue } from './media-pages.js';

interface RemoteOut {
  kind: string;
  reportsSent: number;
  remoteTimestamp: number;
}

/** What the viewer's browser learned from sender reports (remote-outbound-rtp), and its playout estimates. */
function senderSide(page: Page): Promise<{ remote: RemoteOut[]; playout: Record<string, number> }> {
  return page.evaluate(async () => {
    const p = (window as unknown as { parley: { client: { getStats(): Promise<{ subscriber?: RTCStatsReport }> } } }).parley;
    const remote: { kind: string; reportsSent: number; remoteTimestamp: number }[] = [];
    const playout: Record<string, number> = {};
    (await p.client.getStats()).subscriber?.forEach(
      (s: { type: string; kind?: string; reportsSent?: number; remoteTimestamp?: number; estimatedPlayoutTimestamp?: number; packetsReceived?: number }) => {
        if (s.type === 'remote-outbound-rtp') remote.push({ kind: s.kind ?? '', reportsSent: s.reportsSent ?? 0, remoteTimestamp: s.remoteTimestamp ?? 0 });
        if (s.type === 'inbound-rtp' && (s.packetsReceived ?? 0) > 0 && s.estimatedPlayoutTimestamp) playout[s.kind ?? ''] = s.estimatedPlayoutTimestamp;
      },
    );
    return { remote, playout };
  });
}

describe('lip sync: sender reports reach subscribers, one msid stream per person (Chromium)', () => {
  let harness: Harness;
  let browser: Browser;
  let bob: Page;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser();
    await openMediaPage(browser, harness.url, 'alice', true, { width: 640, height: 360, frameRate: 15 });
    bob = await openMediaPage(browser, harness.url, 'bob', false);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it("puts Alice's audio and video on one msid stream and passes her sender reports on", async () => {
    expect(await untilTrue(async () => (await decodedFrom(bob, 'alice')) > 10, 20_000)).toBe(true);
    const slots = harness.media.slotInfo('bob').filter((s) => s.publisherId === 'alice');
    expect(slots.length).toBe(2);
    expect(slots[0]?.streamId).toBe(slots[1]?.streamId);
    // Chromium sends a sender report about once a second per stream (audio more often).
    const reported = await untilTrue(async () => {
      const r = (await senderSide(bob)).remote;
      return ['audio', 'video'].every((k) => r.some((x) => x.kind === k && x.reportsSent >= 2));
    }, 15_000);
    if (!reported) console.log('no sender reports at the viewer', JSON.stringify(harness.media.slotInfo('bob')), JSON.stringify(await senderSide(bob)));
    expect(reported).toBe(true);
    const { remote, playout } = await senderSide(bob);
    const now = Date.now();
    for (const r of remote) {
      // The reported sender clock is the SFU's (same machine here): close to now, not 70 years off.
      expect(Math.abs(r.remoteTimestamp - now)).toBeLessThan(10_000);
    }
    const skew = playout.audio !== undefined && playout.video !== undefined ? playout.video - playout.audio : NaN;
    console.log(
      `sender reports at the viewer: ${JSON.stringify(remote.map((r) => [r.kind, r.reportsSent]))}; SFU passed on ${harness.media
        .slotInfo('bob')
        .map((s) => s.senderReports)
        .join('/')}; estimated playout video − audio ${Number.isNaN(skew) ? 'n/a' : `${Math.round(skew)} ms`}`,
    );
  }, 60_000);
});
