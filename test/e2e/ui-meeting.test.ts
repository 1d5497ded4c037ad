/**
 * The meeting room as people use it, in real Chromium against the real server: roster,
 * video tiles, chat, reconnect without a duplicate roster entry, host mute/remove/admit/end,
 * host audio pins.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { roomSuite } from './helpers/room-suite.js';

/** Records every WebSocket the page opens, so a test can cut the signaling connection. */
const RECORD_SOCKETS = `(() => {
  const Orig = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Orig {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
})();`;

const { hostMeeting, guestJoins } = roomSuite({ title: 'Memorial', initScript: RECORD_SOCKETS });

async function rosterNames(page: Page): Promise<string[]> {
  if (!(await page.getByTestId('roster-panel').isVisible())) await page.getByTestId('toggle-roster').click();
  return page.getByTestId('roster-item').getByTestId('roster-name').allInnerTexts();
}

const selfId = (page: Page) => page.getByTestId('self-view').getAttribute('data-participant-id');

describe('meeting room', () => {
  it('shows everyone in every roster, a tile per remote participant, and chat from each', async () => {
    const { host, meetingId } = await hostMeeting();
    const guest = await guestJoins(meetingId, 'Grace');
    await guest.getByTestId('meeting-room').waitFor();
    await expect.poll(() => host.getByTestId('participant-count').innerText()).toBe('2 participants');
    expect((await rosterNames(host)).sort()).toEqual(['Grace', 'Hostess (you)']);
    expect((await rosterNames(guest)).sort()).toEqual(['Grace (you)', 'Hostess']);
    const guestId = await selfId(guest);
    // media flows: the guest's tile on the host's screen plays a real video stream
    await host.locator(`[data-testid=video-tile][data-participant-id="${guestId}"] video`).waitFor();
    await expect
      .poll(() => host.locator(`[data-testid=video-tile][data-participant-id="${guestId}"] video`).evaluate((v: HTMLVideoElement) => v.videoWidth), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
    await guest.getByTestId('toggle-chat').click();
    await guest.getByTestId('chat-input').fill('晚安，大家好');
    await guest.getByTestId('chat-input').press('Enter');
    await host.getByTestId('toggle-chat').click();
    const msg = host.getByTestId('chat-message').filter({ hasText: '晚安，大家好' });
    await msg.waitFor();
    expect(await msg.getByTestId('chat-from').innerText()).toBe('Grace');
  });

  it('reconnects after the signaling connection drops without a duplicate roster entry', async () => {
    const { host, meetingId } = await hostMeeting();
    const guest = await guestJoins(meetingId, 'Dropper');
    await guest.getByTestId('meeting-room').waitFor();
    await expect.poll(() => host.getByTestId('participant-count').innerText()).toBe('2 participants');
    const before = await selfId(guest);
    await guest.evaluate(() => {
      const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets;
      sockets.at(-1)?.close();
    });
    await guest.getByTestId('reconnect-banner').waitFor();
    await guest.getByTestId('reconnect-banner').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await guest.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.length)).toBeGreaterThanOrEqual(2);
    expect(await selfId(guest)).toBe(before);
    await expect.poll(() => rosterNames(host).then((r) => r.sort())).toEqual(['Dropper', 'Hostess (you)']);
    expect(await host.getByTestId('participant-count').innerText()).toBe('2 participants');
    expect((await rosterNames(guest)).sort()).toEqual(['Dropper (you)', 'Hostess']);
    // media comes back on the new session
    await expect
      .poll(
        () =>
          host
            .locator(`[data-testid=video-tile][data-participant-id="${before}"] video`)
            .evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.readyState === 'live' && v.videoWidth > 0)
            .catch(() => false),
        { timeout: 15_000 },
      )
      .toBe(true);
    // chat still flows after the reconnect
    await guest.getByTestId('toggle-chat').click();
    await guest.getByTestId('chat-input').fill('back again');
    await guest.getByTestId('chat-send').click();
    await host.getByTestId('toggle-chat').click();
    await host.getByTestId('chat-message').filter({ hasText: 'back again' }).waitFor();
  });

  it('lets the host mute a participant, who is told and sees their mic off', async () => {
    const { host, meetingId } = await hostMeeting();
    const guest = await guestJoins(meetingId, 'Loud');
    await guest.getByTestId('meeting-room').waitFor();
    const guestId = await selfId(guest);
    await host.getByTestId('toggle-roster').click();
    const row = host.locator(`[data-testid=roster-item][data-participant-id="${guestId}"]`);
    await row.getByTestId('participant-menu').click();
    await row.getByTestId('host-mute').click();
    await guest.getByTestId('muted-notice').waitFor();
    expect(await guest.getByTestId('muted-notice').innerText()).toContain('Hostess');
    await expect.poll(() => guest.getByTestId('toggle-mic').getAttribute('aria-label')).toBe('Unmute');
  });

  it("lets the host pin a participant's audio, which everyone sees; a non-host never gets the action", async () => {
    const { host, meetingId } = await hostMeeting();
    const guest = await guestJoins(meetingId, 'Eulogist');
    await guest.getByTestId('meeting-room').waitFor();
    const guestId = await selfId(guest);
    const hostId = await selfId(host);
    await host.getByTestId('toggle-roster').click();
    const row = host.locator(`[data-testid=roster-item][data-participant-id="${guestId}"]`);
    await row.getByTestId('participant-menu').click();
    await row.getByTestId('host-pin').click();
    // The pinned person's own page, and the host's, show it: roster row and tile.
    await guest.getByTestId('toggle-roster').click();
    const pinnedRow = guest.locator(`[data-testid=roster-item][data-participant-id="${guestId}"]`);
    await pinnedRow.getByTestId('roster-pin').waitFor();
    expect(await pinnedRow.getByTestId('roster-pin').getAttribute('aria-label')).toBe('Audio pinned by the host');
    await guest.locator(`[data-testid=self-view] [data-testid=pin-indicator]`).waitFor();
    await host.locator(`[data-testid=video-tile][data-participant-id="${guestId}"] [data-testid=pin-indicator]`).waitFor();
    await row.getByTestId('roster-pin').waitFor();
    // Not a host: no menu on anyone's row, no pin action anywhere.
    expect(await guest.getByTestId('participant-menu').count()).toBe(0);
    expect(await guest.locator('[data-testid=host-pin], [data-testid=host-unpin]').count()).toBe(0);
    expect(await guest.locator(`[data-testid=roster-item][data-participant-id="${hostId}"] [data-testid=roster-pin]`).count()).toBe(0);
    // Unpinned: the indicator goes everywhere.
    await row.getByTestId('participant-menu').click();
    await row.getByTestId('host-unpin').click();
    await expect.poll(() => guest.getByTestId('roster-pin').count()).toBe(0);
    await expect.poll(() => host.getByTestId('pin-indicator').count()).toBe(0);
  });

  it('shows the removed participant why, and drops them from the host roster', async () => {
    const { host, meetingId } = await hostMeeting();
    const guest = await guestJoins(meetingId, 'Leaving');
    await guest.getByTestId('meeting-room').waitFor();
    const guestId = await selfId(guest);
    await host.getByTestId('toggle-roster').click();
    const row = host.locator(`[data-testid=roster-item][data-participant-id="${guestId}"]`);
    await row.getByTestId('participant-menu').click();
    await row.getByTestId('host-remove').click();
    await host.getByTestId('remove-dialog').getByTestId('confirm-ok').click();
    await guest.getByTestId('removed-notice').waitFor();
    expect(await guest.getByTestId('removed-notice-text').innerText()).toBe('You were removed from this meeting by the host.');
    await expect.poll(() => host.getByTestId('roster-item').count()).toBe(1);
  });

  it('holds a participant in the waiting room until the host admits them', async () => {
    const { host, meetingId } = await hostMeeting({ waitingRoom: true });
    const guest = await guestJoins(meetingId, 'Patient');
    await guest.getByTestId('waiting-screen').waitFor();
    await host.getByTestId('toggle-roster').click();
    const item = host.getByTestId('waiting-item').filter({ hasText: 'Patient' });
    await item.waitFor();
    // the waiting participant is not in the roster yet, and the host sees the waiting count
    expect(await host.getByTestId('roster-item').count()).toBe(1);
    await item.getByTestId('admit').click();
    await guest.getByTestId('meeting-room').waitFor();
    await expect.poll(() => host.getByTestId('roster-item').count()).toBe(2);
  });

  it('ends the meeting for everyone after the host confirms', async () => {
    const { host, meetingId } = await hostMeeting();
    const guest = await guestJoins(meetingId, 'Stayer');
    await guest.getByTestId('meeting-room').waitFor();
    await host.getByTestId('toggle-roster').click();
    await host.getByTestId('host-end').click();
    await host.getByTestId('end-dialog').getByTestId('confirm-ok').click();
    await guest.getByTestId('removed-notice').waitFor();
    expect(await guest.getByTestId('removed-notice-text').innerText()).toBe('The host ended the meeting.');
  });
});
