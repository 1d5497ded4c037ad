/**
 * Chromium against the SFU: a 720p simulcast publisher ramps up by REMB alone (no bitrate in
 * SDP), a subscriber receives the top layers, and drops to the lowest layer when its
 * estimate drops.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './helpers/browser.js';
import { type Harness, startHarness } from './media-harness.js';

/** A short 1280x720 noisy clip: realistic encoder load (fake camera alone gives ~0.7 Mbps). */
function writeNoisyY4m(path: string, frames: number): void {
  const w = 1280;
  const h = 720;
  const ySize = w * h;
  const frameSize = ySize * 1.5;
  const header = Buffer.from(`YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\n`);
  const out = Buffer.alloc(header.length + frames * (6 + frameSize));
  header.copy(out, 0);
  let x = 0x12345678;
  let off = header.length;
  for (let f = 0; f < frames; f++) {
    out.write('FRAME\n', off, 'latin1');
    off += 6;
    for (let i = 0; i < ySize; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[off + i] = (((i % w) + f * 8) & 0xff) / 2 + (x & 0x3f);
    }
    out.fill(128, off + ySize, off + frameSize);
    off += frameSize;
  }
  writeFileSync(path, out);
}

async function openPage(browser: Browser, h: Harness, id: string, publish: boolean): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(h.url);
  await page.evaluate(
    async (o) => {
      await (window as unknown as { startParley(x: unknown): Promise<void> }).startParley(o);
    },
    { id, publish },
  );
  return page;
}

/** Publisher send-side figures from the page's getStats. */
function publisherRates(page: Page): Promise<{ available: number; target: number }> {
  return page.evaluate(async () => {
    const c = (window as unknown as { parley: { client: { getStats(): Promise<{ publisher?: RTCStatsReport }> } } }).parley.client;
    const r = (await c.getStats()).publisher;
    let available = 0;
    let target = 0;
    r?.forEach((s: { type: string; availableOutgoingBitrate?: number; nominated?: boolean; targetBitrate?: number; kind?: string }) => {
      if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate) available = Math.max(available, s.availableOutgoingBitrate);
      if (s.type === 'outbound-rtp' && s.kind === 'video') target += s.targetBitrate ?? 0;
    });
    return { available, target };
  });
}

/** Video bytes actually sent by the publisher so far. */
function publisherBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const c = (window as unknown as { parley: { client: { getStats(): Promise<{ publisher?: RTCStatsReport }> } } }).parley.client;
    let bytes = 0;
    (await c.getStats()).publisher?.forEach((s: { type: string; kind?: string; bytesSent?: number }) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') bytes += s.bytesSent ?? 0;
    });
    return bytes;
  });
}

function inboundVideoWidth(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const c = (window as unknown as { parley: { client: { getStats(): Promise<{ subscriber?: RTCStatsReport }> } } }).parley.client;
    let width = 0;
    (await c.getStats()).subscriber?.forEach((s: { type: string; kind?: string; frameWidth?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') width = Math.max(width, s.frameWidth ?? 0);
    });
    return width;
  });
}

async function until(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describe('media plane with Chromium', () => {
  let dir: string;
  let harness: Harness;
  let browser: Browser;
  let alice: Page;
  let bob: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-y4m-'));
    writeNoisyY4m(join(dir, 'noise.y4m'), 20);
    // What REMB alone lets a publisher send: dynacast would pause the layers nobody watches
    // (Alice is alone in the first test; media-dynacast.test.ts tests that).
    harness = await startHarness({ dynacast: false });
    browser = await launchBrowser({ args: [`--use-file-for-fake-video-capture=${join(dir, 'noise.y4m')}`] });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets a 720p publisher reach 1 Mbps within 10 s steered only by REMB', async () => {
    alice = await openPage(browser, harness, 'alice', true);
    const t0 = Date.now();
    let last = { available: 0, target: 0 };
    const ok = await until(async () => {
      last = await publisherRates(alice);
      return Math.max(last.available, last.target) >= 1_000_000;
    }, 10_000);
    console.log(`publisher estimate ${JSON.stringify(last)} after ${Date.now() - t0} ms`);
    expect(ok).toBe(true);
    // The estimate must turn into real media: measure what is sent over one second.
    let sent = 0;
    const real = await until(
      async () => {
        const b0 = await publisherBytes(alice);
        const s0 = Date.now();
        await new Promise((r) => setTimeout(r, 1000));
        sent = (((await publisherBytes(alice)) - b0) * 8 * 1000) / (Date.now() - s0);
        return sent >= 1_000_000;
      },
      Math.max(1000, 10_000 - (Date.now() - t0)),
    );
    console.log(`publisher sending ${Math.round(sent / 1000)} kbps at ${Date.now() - t0} ms`);
    expect(real).toBe(true);
  });

  it('forwards simulcast to a subscriber and moves it to a lower layer when its estimate drops', async () => {
    bob = await openPage(browser, harness, 'bob', false);
    const slot = (): { target: number; current: number } | undefined =>
      harness.media.slotInfo('bob').find((s) => s.publisherId === 'alice' && s.mid.startsWith('v'));
    const up = await until(async () => (slot()?.current ?? -1) >= 1 && (await inboundVideoWidth(bob)) >= 640, 20_000);
    if (!up) console.log(`bob stuck: ${JSON.stringify(harness.media.slotInfo('bob'))} width ${await inboundVideoWidth(bob)}`);
    expect(up).toBe(true);
    console.log(`bob before cap: layer ${slot()?.current}, width ${await inboundVideoWidth(bob)}`);
    harness.media.setDownlinkCap('bob', 250_000);
    expect(await until(async () => slot()?.current === 0 && (await inboundVideoWidth(bob)) <= 320, 10_000)).toBe(true);
    console.log(`bob after cap: layer ${slot()?.current}, width ${await inboundVideoWidth(bob)}`);
    harness.media.setDownlinkCap('bob', null);
  });
});
