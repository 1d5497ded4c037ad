/**
 * Issue 15, "the memorial meeting": a page decodes only its visible tiles. The real server and
 * SFU, the real web app in Chromium as the viewer, and seven scripted publishers (libwebrtc
 * through @roamhq/wrtc, joined over the signaling protocol like a browser, camera 320×180 at
 * 10 fps, silent audio so nobody is an active speaker). The viewer picks 4 tiles per page;
 * what its browser decodes (getStats per receiver, mapped to participants by the SFU's stream
 * map the app receives) must be exactly the page's four, and after "Next page" the new page's
 * within 2 s while the previous page's stop. Then the control and the host's audio pins as
 * people see them (axe, a phone in zh-Hant). PARLEY_SHOTS=<dir> saves screenshots.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { WsClient } from '../helpers/app.js';
import { signalingPeer } from '../cluster/wrtc-signaling.js';
import type { TestPeer } from '../integration/media-wrtc-peer.js';
import { axeViolations, countNodes, describeViolations, horizontalOverflow } from './helpers/a11y.js';
import { PHONE } from './helpers/browser.js';
import { OBSERVE_MEDIA, clickUntilDecoding, decodedOver, decoding, videoLines } from './helpers/decoded-video.js';
import { roomSuite } from './helpers/room-suite.js';

const PUBLISHERS = 7;
const WINDOW_MS = 3000;
const { hostMeeting, guestJoins } = roomSuite({ title: 'Memorial', initScript: OBSERVE_MEDIA });
/** PARLEY_SHOTS=<dir> saves screenshots. */
const shots = process.env.PARLEY_SHOTS;

const sockets: WsClient[] = [];
const peers: TestPeer[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.close();
  for (const s of sockets.splice(0)) s.close();
});

/** A scripted participant who joins `meetingId`, publishes a silent camera and watches nothing (keeps 2 cores free). */
async function publisher(wsUrl: string, meetingId: string, name: string): Promise<string> {
  const ws = await WsClient.open(wsUrl);
  sockets.push(ws);
  const { participantId } = await ws.request<{ participantId: string }>('join', { meetingId, displayName: name });
  const peer = signalingPeer(ws, participantId);
  peers.push(peer);
  await peer.publish({ width: 320, height: 180, fps: 10, silent: true });
  await ws.request('media.view', { publisherIds: [] });
  return participantId;
}

/** Mic and camera off (en or zh-Hant labels): nobody is a speaker, and 2 cores are not spent encoding the page's camera. */
async function quiet(page: Page): Promise<void> {
  const mic = page.getByTestId('toggle-mic');
  const cam = page.getByTestId('toggle-camera');
  if (['Mute', '靜音'].includes((await mic.getAttribute('aria-label')) ?? '')) await mic.click();
  if (['Stop video', '關閉視訊'].includes((await cam.getAttribute('aria-label')) ?? '')) await cam.click();
}

/** The participants whose tiles the page shows (not the viewer's own). */
const visibleTiles = (page: Page): Promise<string[]> =>
  page
    .getByTestId('video-tile')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-participant-id') ?? ''))
    .then((ids) => ids.sort());

/** Until every one of `ids` has decoded frames on the line the SFU says is theirs; ms since `t0`, or null. */
async function untilDecoding(page: Page, ids: string[], timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  const base = new Map<string, { mid: string; frames: number }>();
  const done = new Set<string>();
  while (Date.now() - t0 < timeoutMs) {
    const lines = await videoLines(page);
    for (const id of ids) {
      const found = Object.entries(lines).find(([, l]) => l.owner === id);
      if (!found) continue;
      const [mid, line] = found;
      const b = base.get(id);
      // Counted from when the line became theirs: a reused line's earlier frames were someone else's.
      if (b?.mid !== mid) base.set(id, { mid, frames: line.frames });
      // Two frames, not one: a frame of the line's previous owner may still be in flight.
      else if (line.frames - b.frames >= 2) done.add(id);
    }
    if (done.size === ids.length) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

const fmt = (d: Map<string, { frames: number; bytes: number }>, names: Map<string, string>): string =>
  [...d].map(([id, v]) => `${names.get(id) ?? id}: ${v.frames} frames/${v.bytes} B`).join(', ');

describe('visible tiles only (Chromium, real SFU)', () => {
  it('decodes exactly the 4 tiles of the page, then the next page within 2 s while the previous page stops', async () => {
    const { host, meetingId } = await hostMeeting();
    // The viewer neither talks nor shows a camera: only the publishers' video is measured.
    await quiet(host);
    const wsUrl = new URL(host.url()).origin.replace(/^http/, 'ws') + '/ws';
    const names = new Map<string, string>();
    for (let i = 1; i <= PUBLISHERS; i++) names.set(await publisher(wsUrl, meetingId, `Mourner ${i}`), `Mourner ${i}`);
    const everyone = [...names.keys()].sort();
    await expect.poll(() => host.getByTestId('video-tile').count(), { timeout: 20_000 }).toBe(PUBLISHERS);

    // 4 tiles per page: the choice is remembered, the page holds four.
    await host.getByTestId('tiles-per-page').selectOption('4');
    await expect.poll(() => host.getByTestId('video-tile').count()).toBe(4);
    expect(await host.getByTestId('page-of').innerText()).toBe('Page 1 of 2');
    expect(await host.evaluate(() => localStorage.getItem('parley.tilesPerPage'))).toBe('4');
    const first = await visibleTiles(host);
    expect(await untilDecoding(host, first, 20_000), 'the first page never decoded').not.toBeNull();
    // Lines the SFU stopped filling when the view narrowed may still drain a frame or two.
    await new Promise((r) => setTimeout(r, 1000));
    const d1 = await decodedOver(host, WINDOW_MS);
    console.log(`page 1 (${first.map((id) => names.get(id)).join(', ')}), decoded in ${WINDOW_MS} ms: ${fmt(d1, names)}`);
    expect(decoding(d1)).toEqual(first);
    for (const id of everyone.filter((x) => !first.includes(x))) expect(d1.get(id)?.frames ?? 0, `${names.get(id)} is off screen`).toBe(0);
    expect(d1.get('?')?.frames ?? 0, 'video on a line the app maps to nobody').toBe(0);
    // Nobody was an active speaker (the allowed exception), so nothing but the page came.
    expect(await host.locator('[data-testid=video-tile][data-speaking]').count()).toBe(0);

    // Next page: the three others, decoding within 2 s; the first page's video stops.
    const rest = everyone.filter((x) => !first.includes(x));
    const ms = await clickUntilDecoding(host, '[data-testid=page-next]', rest, 10_000);
    expect(await host.getByTestId('page-of').innerText()).toBe('Page 2 of 2');
    const second = await visibleTiles(host);
    expect(second).toEqual(rest);
    console.log(`page 2 (${second.map((id) => names.get(id)).join(', ')}) decoding ${ms ?? 'never'} ms after the click`);
    expect(ms).not.toBeNull();
    expect(ms).toBeLessThan(2000);
    const d2 = await decodedOver(host, WINDOW_MS);
    console.log(`page 2, decoded in ${WINDOW_MS} ms: ${fmt(d2, names)}`);
    expect(decoding(d2)).toEqual(second);
    for (const id of first) expect(d2.get(id)?.frames ?? 0, `${names.get(id)} left the screen`).toBe(0);
    expect(d2.get('?')?.frames ?? 0).toBe(0);
  }, 150_000);

  it('the tiles-per-page control and the audio pins are accessible, on a desktop and on a phone in zh-Hant', async () => {
    const { host, meetingId } = await hostMeeting();
    await quiet(host);
    const wsUrl = new URL(host.url()).origin.replace(/^http/, 'ws') + '/ws';
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push(await publisher(wsUrl, meetingId, `Mourner ${i}`));
    await expect.poll(() => host.getByTestId('video-tile').count(), { timeout: 20_000 }).toBe(5);
    // A desktop starts at 25 a page: one page, no pager, the choice offered.
    expect(await host.getByTestId('tiles-per-page').inputValue()).toBe('25');
    expect(await host.getByTestId('page-of').count()).toBe(0);
    await host.getByRole('combobox', { name: 'Tiles per page' }).selectOption('4');
    await host.getByTestId('page-of').waitFor();
    await host.getByTestId('toggle-roster').click();
    const row = host.locator(`[data-testid=roster-item][data-participant-id="${ids[0] ?? ''}"]`);
    await row.getByTestId('participant-menu').click();
    await row.getByTestId('host-pin').click();
    await row.getByTestId('roster-pin').waitFor();
    await row.getByTestId('participant-menu').click();
    await expectAccessible(host, 'host: 4 a page, a pinned voice, the row menu open');
    if (shots) await host.screenshot({ path: `${shots}/tiles-host-desktop-en.png` });

    // A phone in zh-Hant starts at 4 a page (six others: two pages) and sees the pin.
    const phone = await guestJoins(meetingId, '林小姐', { locale: 'zh-TW', viewport: PHONE, waitForRoom: true });
    await quiet(phone);
    await expect.poll(() => phone.getByTestId('video-tile').count(), { timeout: 20_000 }).toBe(4);
    expect(await phone.getByTestId('tiles-per-page').inputValue()).toBe('4');
    expect(await phone.getByTestId('page-of').innerText()).toBe('第 1 頁，共 2 頁');
    expect(await phone.getByRole('combobox', { name: '每頁畫面數' }).count()).toBe(1);
    await phone.locator(`[data-testid=video-tile][data-participant-id="${ids[0] ?? ''}"] [data-testid=pin-indicator]`).waitFor();
    expect(await horizontalOverflow(phone)).toBe(0);
    await expectAccessible(phone, 'phone, zh-Hant, grid');
    if (shots) await phone.screenshot({ path: `${shots}/tiles-grid-phone-zh-Hant.png` });
    await phone.getByTestId('toggle-roster').click();
    await phone.locator(`[data-testid=roster-item][data-participant-id="${ids[0] ?? ''}"] [data-testid=roster-pin]`).waitFor();
    expect(await horizontalOverflow(phone)).toBe(0);
    await expectAccessible(phone, 'phone, zh-Hant, roster with a pin');
    if (shots) await phone.screenshot({ path: `${shots}/tiles-roster-phone-zh-Hant.png` });
  }, 150_000);
});

/** axe-core WCAG 2.2 A/AA, as the a11y suites run it: 0 violations. */
async function expectAccessible(page: Page, label: string): Promise<void> {
  const v = await axeViolations(page);
  expect(countNodes(v), describeViolations(label, v)).toBe(0);
}
