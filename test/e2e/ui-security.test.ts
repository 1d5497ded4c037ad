/**
 * The security module wired into the real meeting room, in real Chromium against the real
 * server: everyone in an E2EE meeting sees the same security code in the roster panel and
 * the lock in the header, everyone decodes everyone's (encrypted) video, and a removal
 * changes the code for those who remain — equally. A plain meeting still shows the code and
 * still plays video.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { roomSuite } from './helpers/room-suite.js';

/** Records every RTCPeerConnection the page makes, so the test can read inbound-rtp stats. */
const RECORD_PCS = `(() => {
  const Orig = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Orig {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
  const OrigWs = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends OrigWs {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
})();`;

const CODE = /^\d{5} \d{5} \d{5} \d{5}$/;

const { ctx, hostMeeting, guestJoins } = roomSuite({ title: 'Vigil', initScript: RECORD_PCS });

async function openRoster(page: Page): Promise<void> {
  if (!(await page.getByTestId('roster-panel').isVisible())) await page.getByTestId('toggle-roster').click();
  await page.getByTestId('security-panel').waitFor();
}

async function securityCode(page: Page): Promise<string> {
  await openRoster(page);
  return (await page.getByTestId('security-code').innerText()).trim();
}

/** inbound-rtp video streams with framesDecoded > 0, across the page's open RTCPeerConnections. */
function decodedVideo(page: Page): Promise<{ ssrc: number; frames: number }[]> {
  return page.evaluate(async () => {
    const out: { ssrc: number; frames: number }[] = [];
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats().catch(() => null);
      report?.forEach((s: { type: string; kind?: string; ssrc?: number; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && (s.framesDecoded ?? 0) > 0) out.push({ ssrc: s.ssrc ?? 0, frames: s.framesDecoded ?? 0 });
      });
    }
    return out;
  });
}

/** How many of the page's live senders/receivers have an encoded transform (the E2EE worker) attached. */
function transforms(page: Page): Promise<{ senders: number; withTransform: number; receivers: number; receiversWithTransform: number }> {
  return page.evaluate(() => {
    const out = { senders: 0, withTransform: 0, receivers: 0, receiversWithTransform: 0 };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      for (const s of pc.getSenders()) {
        if (!s.track) continue;
        out.senders++;
        if ((s as unknown as { transform?: unknown }).transform) out.withTransform++;
      }
      for (const t of pc.getTransceivers()) {
        if (t.currentDirection !== 'recvonly' && t.currentDirection !== 'sendrecv') continue;
        out.receivers++;
        if ((t.receiver as unknown as { transform?: unknown }).transform) out.receiversWithTransform++;
      }
    }
    return out;
  });
}

async function allEqualCodes(pages: Page[]): Promise<string | null> {
  const codes = await Promise.all(pages.map(securityCode));
  return codes.every((c) => c === codes[0] && CODE.test(c)) ? (codes[0] ?? null) : null;
}

describe('security in the meeting room', () => {
  it('E2EE meeting: one security code everywhere, the lock on, everyone decodes everyone; a removal changes the code equally', async () => {
    const { host, meetingId } = await hostMeeting({ e2ee: true });
    const ann = await guestJoins(meetingId, 'Ann', { waitForRoom: true });
    const bo = await guestJoins(meetingId, 'Bo', { waitForRoom: true });
    const pages = [host, ann, bo];
    for (const p of pages) await expect.poll(() => p.getByTestId('participant-count').innerText(), { timeout: 15_000 }).toBe('3 participants');

    // Same code on every page (the roster chain verified by each browser for itself).
    await expect.poll(() => allEqualCodes(pages), { timeout: 15_000 }).not.toBeNull();
    const before = (await allEqualCodes(pages)) as string;
    for (const p of pages) {
      expect(await p.getByTestId('chain-status').getAttribute('data-verified')).toBe('true');
      expect(await p.getByTestId('verified-members').locator('li').count()).toBe(3);
    }

    // Encrypted media decodes: each page decodes both other publishers' video.
    for (const p of pages) {
      await expect.poll(async () => (await decodedVideo(p)).length, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(2);
    }
    for (const p of pages) {
      await expect.poll(() => p.getByTestId('e2ee-indicator').getAttribute('data-state'), { timeout: 15_000 }).toBe('on');
      expect(await p.getByTestId('encryption-state').getAttribute('data-state')).toBe('on');
      // The decoded video went through the E2EE transform: every sender and receiver has one.
      const tr = await transforms(p);
      expect(tr.senders).toBeGreaterThan(0);
      expect(tr.withTransform).toBe(tr.senders);
      expect(tr.receivers).toBeGreaterThanOrEqual(2);
      expect(tr.receiversWithTransform).toBe(tr.receivers);
      expect(
        await p.getByTestId('security-warnings').locator('[data-kind="unknown-receiver"], [data-kind="unknown-sender"], [data-kind="chain-invalid"]').count(),
      ).toBe(0);
    }

    // Chat is sealed end to end: Ann writes in the panel, the others read it in theirs.
    await ann.getByTestId('toggle-chat').click();
    await ann.getByTestId('chat-sealed').waitFor();
    await ann.getByTestId('chat-input').fill('八點點蠟燭 · candles at eight');
    await ann.getByTestId('chat-input').press('Enter');
    for (const p of [host, bo]) {
      await p.getByTestId('toggle-chat').click();
      await p.getByTestId('chat-message').filter({ hasText: '八點點蠟燭 · candles at eight' }).waitFor({ timeout: 15_000 });
    }
    await openRoster(host);

    // The host removes Bo through the roster menu.
    const boId = await bo.getByTestId('self-view').getAttribute('data-participant-id');
    const row = host.locator(`[data-testid=roster-item][data-participant-id="${boId}"]`);
    await row.getByTestId('participant-menu').click();
    await row.getByTestId('host-remove').click();
    await host.getByTestId('remove-dialog').getByTestId('confirm-ok').click();
    await bo.getByTestId('removed-notice').waitFor();

    const remaining = [host, ann];
    await expect
      .poll(
        async () => {
          const code = await allEqualCodes(remaining);
          return code !== null && code !== before;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    for (const p of remaining) {
      expect(await p.getByTestId('verified-members').locator('li').count()).toBe(2);
      await p.locator('[data-testid=security-warnings] [data-kind="code-changed"]').first().waitFor();
    }

    // After the key rotation the two still decode each other: frames keep coming.
    const frames = async (p: Page) => (await decodedVideo(p)).reduce((a, s) => Math.max(a, s.frames), 0);
    for (const p of remaining) {
      const start = await frames(p);
      await expect.poll(() => frames(p), { timeout: 20_000, interval: 500 }).toBeGreaterThan(start + 10);
      expect(await p.getByTestId('e2ee-indicator').getAttribute('data-state')).toBe('on');
    }
  });

  it('plain meeting: the code is shown and equal, no lock, and video decodes', async () => {
    const { host, meetingId } = await hostMeeting({});
    const guest = await guestJoins(meetingId, 'Grace', { waitForRoom: true });
    await expect.poll(() => host.getByTestId('participant-count').innerText(), { timeout: 15_000 }).toBe('2 participants');
    await expect.poll(() => allEqualCodes([host, guest]), { timeout: 15_000 }).not.toBeNull();
    for (const p of [host, guest]) {
      await expect.poll(async () => (await decodedVideo(p)).length, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(1);
      expect(await p.getByTestId('encryption-state').getAttribute('data-state')).toBe('off');
      expect(await p.getByTestId('chain-status').getAttribute('data-verified')).toBe('true');
      expect(await p.getByTestId('e2ee-indicator').count()).toBe(0);
      const tr = await transforms(p);
      expect(tr.withTransform + tr.receiversWithTransform).toBe(0);
    }
  });

  it('waiting room and reconnect: the admitted guest gets a verified session, a re-join keeps it verified', async () => {
    const { host, meetingId } = await hostMeeting({ e2ee: true, waitingRoom: true });
    const page = await (await ctx()).newPage();
    await page.goto(`/m/${meetingId}`);
    await page.getByTestId('lobby-name').fill('Patient');
    await page.getByTestId('join-button').click();
    await page.getByTestId('waiting-screen').waitFor();
    await openRoster(host);
    await host.getByTestId('waiting-item').filter({ hasText: 'Patient' }).getByTestId('admit').click();
    await page.getByTestId('meeting-room').waitFor();
    await expect.poll(() => allEqualCodes([host, page]), { timeout: 15_000 }).not.toBeNull();
    await expect.poll(() => page.getByTestId('e2ee-indicator').getAttribute('data-state'), { timeout: 30_000 }).toBe('on');
    await expect.poll(async () => (await decodedVideo(page)).length, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(1);
    const code = await securityCode(page);

    // Cut the signaling socket: the client re-joins, the chain must still extend what it verified.
    await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1)?.close());
    await page.getByTestId('reconnect-banner').waitFor({ state: 'detached', timeout: 15_000 });
    await expect.poll(() => page.getByTestId('chain-status').getAttribute('data-verified')).toBe('true');
    expect(await page.locator('[data-kind="chain-invalid"]').count()).toBe(0);
    await expect.poll(() => allEqualCodes([host, page]), { timeout: 15_000 }).not.toBeNull();
    expect(await securityCode(page)).toBe(code);
    // Media comes back on the new media session, still through the transform.
    await expect.poll(async () => (await decodedVideo(page)).length, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(1);
  });
});
