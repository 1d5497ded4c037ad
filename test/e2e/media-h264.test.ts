/**
 * H.264 through the SFU (issue 14 item 3): a publisher that offers constrained-baseline H.264
 * first gets it; viewers decode it, across simulcast layer switches (IDR of the target layer); a
 * viewer whose browser refuses H.264 is never sent it and sends the publisher back to VP8.
 * Real Chromium (its OpenH264 encoder), the real SFU.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './helpers/browser.js';
import { type Harness, startHarness } from './media-harness.js';
import { decodedFrom, openMediaPage, untilTrue, videoQuality } from './media-pages.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const CAMERA = { width: 960, height: 540, frameRate: 15 };

/** Video codecs (mimeType) of this page's inbound-rtp (subscriber) or outbound-rtp (publisher) streams. */
function codecsOf(page: Page, leg: 'subscriber' | 'publisher'): Promise<string[]> {
  return page.evaluate(async (which) => {
    const p = (window as unknown as { parley: { client: { getStats(): Promise<Record<string, RTCStatsReport | undefined>> } } }).parley;
    const report = (await p.client.getStats())[which];
    const out = new Set<string>();
    const type = which === 'subscriber' ? 'inbound-rtp' : 'outbound-rtp';
    report?.forEach((s: { type: string; kind?: string; codecId?: string; packetsReceived?: number; packetsSent?: number }) => {
      if (s.type !== type || s.kind !== 'video' || !s.codecId || (s.packetsReceived ?? s.packetsSent ?? 0) === 0) return;
      const c = report.get(s.codecId) as { mimeType?: string } | undefined;
      if (c?.mimeType) out.add(c.mimeType);
    });
    return [...out].sort();
  }, leg);
}

function setLayer(page: Page, layer: 'q' | 'h' | 'f'): Promise<void> {
  return page.evaluate((l) => {
    (window as unknown as { parley: { client: { setPreferredLayer(id: string, l: string): void } } }).parley.client.setPreferredLayer('alice', l);
  }, layer);
}

describe('H.264 negotiated when the publisher prefers it (Chromium)', () => {
  let harness: Harness;
  let browser: Browser;
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('Chromium can encode and decode the H.264 format the SFU forwards', async () => {
    alice = await openMediaPage(browser, harness.url, 'alice', true, CAMERA, { preferCodec: 'h264' });
    const caps = await alice.evaluate(() => ({
      send: (RTCRtpSender.getCapabilities('video')?.codecs ?? []).map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`),
      recv: (RTCRtpReceiver.getCapabilities('video')?.codecs ?? []).map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`),
    }));
    const cb = (l: string): boolean => l.startsWith('video/H264') && l.includes('packetization-mode=1') && l.includes('profile-level-id=42e01f');
    expect(caps.send.some(cb)).toBe(true);
    expect(caps.recv.some(cb)).toBe(true);
  }, 30_000);

  it('without a preference, a browser that encodes H.264 in software (not powerEfficient) keeps VP8 first', async () => {
    const dave = await openMediaPage(browser, harness.url, 'dave', true, { width: 320, height: 180, frameRate: 10 });
    const hardware = await dave.evaluate(async () => {
      const info = await navigator.mediaCapabilities.encodingInfo({
        type: 'webrtc',
        video: {
          contentType: 'video/H264;level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          width: 1280,
          height: 720,
          bitrate: 1_500_000,
          framerate: 30,
        },
      });
      return info.powerEfficient;
    });
    expect(await untilTrue(async () => (await codecsOf(dave, 'publisher')).length > 0, 15_000)).toBe(true);
    const codecs = await codecsOf(dave, 'publisher');
    console.log(`default preference: H.264 powerEfficient ${hardware}, publisher sends ${JSON.stringify(codecs)}`);
    expect(codecs).toEqual([hardware ? 'video/H264' : 'video/VP8']);
    await dave.close();
  }, 30_000);

  it('the publisher sends H.264 and a viewer decodes it as H.264', async () => {
    expect(await untilTrue(async () => (await codecsOf(alice, 'publisher')).length > 0, 15_000)).toBe(true);
    expect(await codecsOf(alice, 'publisher')).toEqual(['video/H264']);
    bob = await openMediaPage(browser, harness.url, 'bob', false);
    expect(await untilTrue(async () => (await decodedFrom(bob, 'alice')) > 10, 20_000)).toBe(true);
    const codecs = await codecsOf(bob, 'subscriber');
    console.log(`viewer decodes alice: ${JSON.stringify(await videoQuality(bob, 'alice'))}, inbound codecs ${JSON.stringify(codecs)}`);
    // Before H.264 was negotiated this read ['video/VP8'].
    expect(codecs).toEqual(['video/H264']);
  }, 45_000);

  it('keeps decoding across layer switches (small tile, then large): switches happen on IDRs', async () => {
    await setLayer(bob, 'q');
    const small = await untilTrue(async () => {
      const q = await videoQuality(bob, 'alice');
      return q.width > 0 && q.width <= CAMERA.width / 4;
    }, 15_000);
    const atSmall = await videoQuality(bob, 'alice');
    await sleep(1500);
    const afterSmall = await videoQuality(bob, 'alice');
    console.log(`small tile: ${atSmall.width}x${atSmall.height}, frames ${atSmall.frames} → ${afterSmall.frames} in 1.5 s`);
    expect(small).toBe(true);
    expect(afterSmall.frames).toBeGreaterThan(atSmall.frames);
    await setLayer(bob, 'f');
    const t0 = Date.now();
    const larger = await untilTrue(async () => (await videoQuality(bob, 'alice')).width > atSmall.width, 30_000);
    const atLarge = await videoQuality(bob, 'alice');
    await sleep(1500);
    const afterLarge = await videoQuality(bob, 'alice');
    console.log(
      `large tile: ${atLarge.width}x${atLarge.height} ${larger ? `after ${Date.now() - t0} ms` : 'not reached'}, frames ${atLarge.frames} → ${afterLarge.frames} in 1.5 s, freezes ${afterLarge.freezeCount}`,
    );
    expect(larger).toBe(true);
    expect(afterLarge.frames).toBeGreaterThan(atLarge.frames);
    expect(await codecsOf(bob, 'subscriber')).toEqual(['video/H264']);
  }, 70_000);

  it('a viewer that refuses H.264 is never sent it: the publisher falls back to VP8 and that viewer decodes', async () => {
    const t0 = Date.now();
    const carol = await openMediaPage(browser, harness.url, 'carol', false, undefined, { refuseH264: true });
    const seen = new Set<string>();
    const decoded = await untilTrue(async () => {
      for (const c of await codecsOf(carol, 'subscriber')) seen.add(c);
      return (await decodedFrom(carol, 'alice')) > 10;
    }, 45_000);
    console.log(
      `refusing viewer: decoding after ${Date.now() - t0} ms (page open included), ${decoded ? (await videoQuality(carol, 'alice')).frames : 0} frames, codecs seen ${JSON.stringify([...seen])}; publisher now ${JSON.stringify(await codecsOf(alice, 'publisher'))}`,
    );
    expect(decoded).toBe(true);
    expect([...seen]).toEqual(['video/VP8']);
    expect(await codecsOf(alice, 'publisher')).toEqual(['video/VP8']);
    // The viewer that takes H.264 keeps decoding, now VP8.
    const before = await decodedFrom(bob, 'alice');
    expect(await untilTrue(async () => (await decodedFrom(bob, 'alice')) > before + 10, 15_000)).toBe(true);
  }, 90_000);
});
