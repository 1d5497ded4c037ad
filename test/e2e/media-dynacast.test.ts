/**
 * Dynacast (issue 15): a camera's simulcast layers that no subscriber needs are paused at the
 * publisher's browser (`media.layers`), and resumed with a keyframe when someone wants them.
 * Real Chromium publisher and viewer, the real SFU; what is measured is what the publisher's
 * own browser says it sent per layer (getStats outbound-rtp bytesSent).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './helpers/browser.js';
import { type Harness, startHarness } from './media-harness.js';
import { decodedFrom, openMediaPage, sentPerLayer, untilTrue, videoQuality } from './media-pages.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Bytes sent per layer over `ms`. */
async function sentDuring(page: Page, ms: number): Promise<Record<string, number>> {
  const a = await sentPerLayer(page);
  await sleep(ms);
  const b = await sentPerLayer(page);
  const out: Record<string, number> = {};
  for (const k of Object.keys(b)) out[k] = (b[k] ?? 0) - (a[k] ?? 0);
  return out;
}

describe('dynacast: layers nobody watches are paused at the publisher (Chromium)', () => {
  let harness: Harness;
  let browser: Browser;
  let alice: Page;
  let bob: Page | null = null;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchBrowser();
    alice = await openMediaPage(browser, harness.url, 'alice', true, { width: 960, height: 540, frameRate: 15 });
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('a camera nobody watches sends nothing', async () => {
    // Alice publishes three layers; nobody else is in the meeting.
    expect(await untilTrue(async () => Object.keys(await sentPerLayer(alice)).length === 3, 15_000)).toBe(true);
    await sleep(2000);
    const idle = await sentDuring(alice, 3000);
    console.log(`nobody watching: bytes sent in 3 s per layer ${JSON.stringify(idle)}`);
    for (const bytes of Object.values(idle)) expect(bytes).toBeLessThan(2000);
    expect(harness.media.stats().layerPauses).toBeGreaterThan(0);
  }, 40_000);

  it('resumes when someone joins: the viewer decodes within 4 s', async () => {
    const t0 = Date.now();
    bob = await openMediaPage(browser, harness.url, 'bob', false);
    const page = bob;
    expect(await untilTrue(async () => (await decodedFrom(page, 'alice')) > 3, 15_000)).toBe(true);
    const ms = Date.now() - t0;
    console.log(`first frames of a paused camera at a new viewer after ${ms} ms (page open included)`);
    expect(ms).toBeLessThan(4000 + 3000);
  }, 30_000);

  it('a viewer that shows a small tile gets the lowest layer, and the two above it stop being sent', async () => {
    const page = bob as Page;
    await page.evaluate(() => {
      (window as unknown as { parley: { client: { setPreferredLayer(id: string, l: string): void } } }).parley.client.setPreferredLayer('alice', 'q');
    });
    await sleep(3000 + 2000);
    const sent = await sentDuring(alice, 3000);
    const q = await videoQuality(page, 'alice');
    console.log(`small tile: bytes sent in 3 s per layer ${JSON.stringify(sent)}; viewer decodes ${q.width}x${q.height}`);
    expect(sent.q).toBeGreaterThan(10_000);
    expect(sent.h ?? 0).toBeLessThan(2000);
    expect(sent.f ?? 0).toBeLessThan(2000);
    const before = q.frames;
    await sleep(1000);
    expect((await videoQuality(page, 'alice')).frames).toBeGreaterThan(before);
  }, 30_000);

  it('a large tile brings the paused layers back', async () => {
    const page = bob as Page;
    await page.evaluate(() => {
      (window as unknown as { parley: { client: { setPreferredLayer(id: string, l: string): void } } }).parley.client.setPreferredLayer('alice', 'f');
    });
    const t0 = Date.now();
    let sent: Record<string, number> = {};
    // Layers above q come back as soon as the viewer's estimate leaves room to probe upwards.
    const resumed = await untilTrue(async () => {
      sent = await sentDuring(alice, 1000);
      return (sent.h ?? 0) + (sent.f ?? 0) > 10_000;
    }, 20_000);
    const resumedAt = Date.now() - t0;
    const top = await untilTrue(async () => (await videoQuality(page, 'alice')).width >= 960, 10_000);
    console.log(
      `large tile: layers above q sent again after ${resumedAt} ms (${JSON.stringify(sent)}); viewer at 960x540 ${top ? `after ${Date.now() - t0} ms` : 'not within 10 s more'}`,
    );
    expect(resumed).toBe(true);
  }, 40_000);
});
