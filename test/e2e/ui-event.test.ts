/**
 * Events in real Chromium (issue 15, item 4): an attendee joins without any camera or
 * microphone request and without mic/camera buttons, raises a hand; the host sees it in the
 * "hands raised" list and promotes them; the new panelist turns the camera on and the host
 * decodes it. And the roster panel at 300 people: a window of rows, searchable, with counts.
 * PARLEY_SHOTS=<dir> saves screenshots (desktop and 390×844, en and zh-Hant).
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { WsClient } from '../helpers/app.js';
import { axeViolations, countNodes, describeViolations, horizontalOverflow } from './helpers/a11y.js';
import { PHONE } from './helpers/browser.js';
import { roomSuite } from './helpers/room-suite.js';

/** Counts every camera/microphone request the page makes. */
const COUNT_GUM = `(() => {
  window.__gum = 0;
  const md = navigator.mediaDevices;
  if (!md) return;
  const orig = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => { window.__gum++; return orig(c); };
})();`;

const { hostMeeting, guestJoins } = roomSuite({ title: 'Memorial', initScript: COUNT_GUM });
const shots = process.env.PARLEY_SHOTS;
const gum = (page: Page) => page.evaluate(() => (window as unknown as { __gum: number }).__gum);

const sockets: WsClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

/** axe-core WCAG 2.2 A/AA, as the a11y suites run it: 0 violations. */
async function expectAccessible(page: Page, label: string): Promise<void> {
  const v = await axeViolations(page);
  expect(countNodes(v), describeViolations(label, v)).toBe(0);
}

async function shot(page: Page, name: string): Promise<void> {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png` });
}

describe('events', () => {
  it('an attendee joins receive-only, raises a hand, is promoted, and the host decodes their camera', async () => {
    const { host, meetingId } = await hostMeeting({ event: true });
    const ann = await guestJoins(meetingId, 'Ann', { waitForRoom: true });
    await ann.getByTestId('attendee-note').waitFor();
    expect(await ann.getByTestId('toggle-mic').count()).toBe(0);
    expect(await ann.getByTestId('toggle-camera').count()).toBe(0);
    expect(await ann.getByTestId('toggle-hand').getAttribute('aria-label')).toBe('Raise hand to speak');
    // Not one camera or microphone request, in the lobby or the room.
    expect(await gum(ann)).toBe(0);
    await expectAccessible(ann, 'attendee room');
    await shot(ann, 'event-attendee-desktop-en');

    await ann.getByTestId('toggle-hand').click();
    await host.getByTestId('toggle-roster').click();
    const hand = host.getByTestId('hands-list').getByTestId('hand-item');
    await hand.waitFor();
    expect(await hand.innerText()).toContain('Ann');
    await expectAccessible(host, 'host panel with a raised hand');
    await shot(host, 'event-host-hands-desktop-en');
    await hand.getByTestId('hand-promote').click();

    // Promoted: the controls appear, the attendee note goes; the camera is asked for only now.
    await ann.getByTestId('toggle-camera').waitFor();
    expect(await ann.getByTestId('attendee-note').count()).toBe(0);
    await ann.getByTestId('toggle-camera').click();
    await expect.poll(() => gum(ann)).toBeGreaterThan(0);
    const annId = await host.getByTestId('roster-item').filter({ hasText: 'Ann' }).getAttribute('data-participant-id');
    expect(annId).toBeTruthy();
    await expect
      .poll(
        () =>
          host
            .locator(`[data-testid=video-tile][data-participant-id="${annId}"] video`)
            .evaluate((v: HTMLVideoElement) => v.videoWidth)
            .catch(() => 0),
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    expect(await host.locator(`[data-testid=roster-item][data-participant-id="${annId}"]`).innerText()).toContain('Panelist');
  });

  it('shows 300 people in a window of rows, with counts, and finds a name', async () => {
    const { host, meetingId } = await hostMeeting({ event: true });
    const wsUrl = new URL(host.url()).origin.replace(/^http/, 'ws') + '/ws';
    // 299 signaling-only attendees, joined over the real WebSocket; a few raise a hand.
    for (let i = 1; i < 300; i++) {
      const ws = await WsClient.open(wsUrl);
      sockets.push(ws);
      await ws.request('join', { meetingId, displayName: `Mourner ${String(i).padStart(3, '0')}` });
      if (i % 100 === 7) await ws.request('hand.raise', { raised: true });
    }
    await host.getByTestId('toggle-roster').click();
    await expect.poll(() => host.getByTestId('roster-panel').getByRole('heading', { level: 2 }).innerText(), { timeout: 20_000 }).toContain('300');
    const rows = await host.getByTestId('roster-item').count();
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThan(60);
    expect(await host.getByTestId('roster-counts').innerText()).toBe('Hosts and panelists: 1 · Attendees: 299 · Hands raised: 3');
    expect(await host.getByTestId('hand-item').allInnerTexts()).toEqual(['Mourner 007', 'Mourner 107', 'Mourner 207'].map((n) => expect.stringContaining(n)));
    // Scrolled to the end, the last person is there and the DOM is still a window.
    await host.getByTestId('roster-window').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await host.getByTestId('roster-item').filter({ hasText: 'Mourner 299' }).waitFor();
    expect(await host.getByTestId('roster-item').count()).toBeLessThan(60);
    expect(await host.getByTestId('roster-item').last().getAttribute('aria-setsize')).toBe('300');
    console.log(`roster of 300: ${rows} rows in the DOM at the top, ${await host.getByTestId('roster-item').count()} at the end`);
    await expectAccessible(host, 'roster of 300');
    await shot(host, 'event-roster-300-desktop-en');

    await host.getByTestId('roster-search').fill('mourner 257');
    await expect.poll(() => host.getByTestId('roster-item').allInnerTexts()).toEqual([expect.stringContaining('Mourner 257')]);
    expect(await host.getByTestId('roster-matches').innerText()).toBe('1 match');
  });

  it('looks right on a phone and in zh-Hant (screenshots)', async () => {
    const { host, meetingId } = await hostMeeting({ event: true }, { locale: 'zh-TW', viewport: PHONE });
    const ann = await guestJoins(meetingId, '林小姐', { waitForRoom: true, locale: 'zh-TW', viewport: PHONE });
    await ann.getByTestId('attendee-note').waitFor();
    expect(await ann.getByTestId('toggle-hand').getAttribute('aria-label')).toBe('舉手發言');
    await ann.getByTestId('toggle-hand').click();
    await shot(ann, 'event-attendee-phone-zh-Hant');
    expect(await horizontalOverflow(ann)).toBe(0);
    await host.getByTestId('toggle-roster').click();
    await host.getByTestId('hand-item').waitFor();
    expect(await host.getByTestId('roster-counts').innerText()).toContain('1 位觀眾');
    await shot(host, 'event-host-hands-phone-zh-Hant');
    expect(await horizontalOverflow(host)).toBe(0);
    await expectAccessible(host, 'host panel on a phone, zh-Hant');
  });
});
