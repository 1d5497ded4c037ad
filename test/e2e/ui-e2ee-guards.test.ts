/**
 * A4 (a malicious or coerced server) in real Chromium against the real server. The page's
 * WebSocket is wrapped so the test can speak as the server (inject frames) and read what the
 * client sends:
 * - a `meeting.updated` saying e2ee is off: a blocking alarm; chat still goes out sealed,
 *   media keeps its transform;
 * - a forged second `join` for a member already present (a swapped key): the chain goes
 *   invalid;
 * - a signed-in member whose identity key differs from the one this browser saw for that
 *   account in an earlier meeting: "<name>'s security key changed", and no key is sent to
 *   them until confirmed.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { roomSuite } from './helpers/room-suite.js';

const WRAP_SOCKETS = `(() => {
  const Orig = window.WebSocket;
  window.__sockets = [];
  window.__sent = [];
  window.WebSocket = class extends Orig {
    constructor(...args) { super(...args); window.__sockets.push(this); }
    send(data) { window.__sent.push(String(data)); return super.send(data); }
  };
  window.__recv = [];
  const origAdd = Orig.prototype.addEventListener;
  Object.defineProperty(window.WebSocket.prototype, 'onmessage', {
    set(fn) { origAdd.call(this, 'message', (e) => { window.__recv.push(String(e.data)); fn.call(this, e); }); },
    get() { return null; },
  });
  const OrigPc = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends OrigPc {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
})();`;

const { ctx, hostMeeting, guestJoins } = roomSuite({ title: 'Vigil', initScript: WRAP_SOCKETS });

type Win = { __sockets: WebSocket[]; __sent: string[]; __recv: string[]; __pcs: RTCPeerConnection[] };

/** Deliver `msg` to the page as if the server had sent it on its live signaling socket. */
function asServer(page: Page, msg: unknown): Promise<void> {
  return page.evaluate((text) => {
    const ws = (window as unknown as Win).__sockets.filter((s) => s.readyState === WebSocket.OPEN).at(-1);
    ws?.dispatchEvent(new MessageEvent('message', { data: text }));
  }, JSON.stringify(msg));
}

/** Every request frame the page sent, parsed. */
function sent(page: Page): Promise<{ type: string; [k: string]: unknown }[]> {
  return page.evaluate(() => (window as unknown as Win).__sent.map((s) => JSON.parse(s) as { type: string }));
}

async function openRoster(page: Page): Promise<void> {
  if (!(await page.getByTestId('roster-panel').isVisible())) await page.getByTestId('toggle-roster').click();
  await page.getByTestId('security-panel').waitFor();
}

/** Senders with a track, and how many of them have the E2EE transform attached. */
function senderTransforms(page: Page): Promise<{ senders: number; withTransform: number }> {
  return page.evaluate(() => {
    const out = { senders: 0, withTransform: 0 };
    for (const pc of (window as unknown as Win).__pcs) {
      if (pc.connectionState === 'closed') continue;
      for (const s of pc.getSenders()) {
        if (!s.track) continue;
        out.senders++;
        if ((s as unknown as { transform?: unknown }).transform) out.withTransform++;
      }
    }
    return out;
  });
}

describe('E2EE guards in the meeting room', () => {
  it('keeps encrypting and raises a blocking alarm when the server says e2ee is off; a forged second join breaks the chain', async () => {
    const { host, meetingId } = await hostMeeting({ e2ee: true });
    const ann = await guestJoins(meetingId, 'Ann', { waitForRoom: true });
    await expect.poll(() => host.getByTestId('participant-count').innerText(), { timeout: 15_000 }).toBe('2 participants');
    await expect.poll(() => ann.getByTestId('e2ee-indicator').getAttribute('data-state'), { timeout: 30_000 }).toBe('on');

    // The server claims the meeting is no longer end-to-end encrypted.
    await asServer(ann, { type: 'event', event: 'meeting.updated', data: { meetingId, title: 'Vigil', locked: false, waitingRoom: false, e2ee: false } });
    const alarm = ann.getByTestId('e2ee-downgrade-alarm');
    await alarm.waitFor({ state: 'visible' });
    expect(await alarm.getAttribute('open')).not.toBeNull();
    // Modal: the room behind it cannot be used until the person answers.
    expect(await ann.evaluate(() => document.querySelector('dialog[data-testid="e2ee-downgrade-alarm"]')?.matches(':modal'))).toBe(true);
    await alarm.getByTestId('downgrade-stay').click();
    await alarm.waitFor({ state: 'hidden' });

    // Chat still goes out sealed, never as plain text; media still goes through the transform.
    await ann.getByTestId('toggle-chat').click();
    await ann.getByTestId('chat-sealed').waitFor();
    await ann.getByTestId('chat-input').fill('still secret');
    await ann.getByTestId('chat-input').press('Enter');
    await expect.poll(async () => (await sent(ann)).filter((m) => m.type === 'chat.send').length, { timeout: 15_000 }).toBe(1);
    const chat = (await sent(ann)).filter((m) => m.type === 'chat.send');
    expect(chat[0]?.sealed).toMatch(/^v1\./);
    expect(JSON.stringify(chat)).not.toContain('still secret');
    const tr = await senderTransforms(ann);
    expect(tr.senders).toBeGreaterThan(0);
    expect(tr.withTransform).toBe(tr.senders);
    expect(await ann.getByTestId('e2ee-indicator').count()).toBe(1);

    // The server re-binds the host's participant id to another key: a second join, no leave.
    const hostId = await host.getByTestId('self-view').getAttribute('data-participant-id');
    await ann.evaluate(async (hostId) => {
      type Ev = { seq: number; hash: string; meetingId: string; [k: string]: unknown };
      const chain: Ev[] = [];
      for (const text of (window as unknown as Win).__recv) {
        const m = JSON.parse(text) as { type: string; result?: { chain?: Ev[] }; event?: string; data?: unknown };
        if (m.type === 'response' && m.result?.chain) for (const e of m.result.chain) chain[e.seq] = e;
        if (m.type === 'event' && m.event === 'you.admitted') for (const e of (m.data as { chain: Ev[] }).chain) chain[e.seq] = e;
        if (m.type === 'event' && m.event === 'roster.event') chain[(m.data as Ev).seq] = m.data as Ev;
        if (m.type === 'event' && m.event === 'roster.events')
          for (const it of (m.data as { items: { event: string; data: Ev }[] }).items) if (it.event === 'roster.event') chain[it.data.seq] = it.data;
      }
      const last = chain.at(-1) as Ev;
      const body: Record<string, unknown> = {
        v: 1,
        seq: last.seq + 1,
        prev: last.hash,
        kind: 'join',
        meetingId: last.meetingId,
        at: Date.now(),
        participantId: hostId,
        displayName: 'Hostess',
        role: 'host',
        identityKey: 'B'.repeat(172) + 'BA==',
      };
      const canonical = `{${Object.keys(body)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(body[k])}`)
        .join(',')}}`;
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)));
      const hash = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
      const ws = (window as unknown as Win).__sockets.filter((x) => x.readyState === WebSocket.OPEN).at(-1);
      ws?.dispatchEvent(new MessageEvent('message', { data: JSON.stringify({ type: 'event', event: 'roster.event', data: { ...body, hash } }) }));
    }, hostId);
    await ann.locator('[data-testid=security-warnings] [data-kind="chain-invalid"]').first().waitFor({ timeout: 15_000 });
    await openRoster(ann);
    expect(await ann.getByTestId('chain-status').getAttribute('data-verified')).toBe('false');
  });

  it('shows "<name>\'s security key changed" for an account whose key differs from an earlier meeting, and sends it no key until confirmed', async () => {
    const { host, meetingId } = await hostMeeting({ e2ee: true });
    // Ann has an account and joins from her first browser: the host's browser trusts that key.
    const first = await ctx();
    const email = `ann-${Date.now()}@example.org`;
    const signup = await first.request.post('/api/auth/signup', { data: { email, password: 'correct horse battery', displayName: 'Ann' } });
    expect(signup.ok(), await signup.text()).toBe(true);
    const ann1 = await first.newPage();
    await ann1.goto(`/m/${meetingId}`);
    await ann1.getByTestId('lobby-name').fill('Ann');
    await ann1.getByTestId('join-button').click();
    await ann1.getByTestId('meeting-room').waitFor();
    await expect.poll(() => host.getByTestId('participant-count').innerText(), { timeout: 15_000 }).toBe('2 participants');
    await openRoster(host);
    await expect.poll(() => host.getByTestId('verified-members').locator('li').count(), { timeout: 15_000 }).toBe(2);
    expect(await host.locator('[data-kind="key-changed"]').count()).toBe(0);

    // A second meeting. The same account arrives from a new browser, so with another key
    // (exactly what a server swapping Ann's key would present).
    const res = await host.context().request.post('/api/meetings', { data: { title: 'Second', e2ee: true } });
    expect(res.ok()).toBe(true);
    const second = ((await res.json()) as { meeting: { id: string } }).meeting.id;
    await host.goto(`/m/${second}`);
    await host.getByTestId('join-button').click();
    await host.getByTestId('meeting-room').waitFor();
    const other = await ctx();
    const login = await other.request.post('/api/auth/login', { data: { email, password: 'correct horse battery' } });
    expect(login.ok(), await login.text()).toBe(true);
    const ann2 = await other.newPage();
    await ann2.goto(`/m/${second}`);
    await ann2.getByTestId('lobby-name').fill('Ann');
    await ann2.getByTestId('join-button').click();
    await ann2.getByTestId('meeting-room').waitFor();
    const annId = await ann2.getByTestId('self-view').getAttribute('data-participant-id');

    const warning = host.locator('[data-testid=security-warnings] [data-kind="key-changed"]').first();
    await warning.waitFor({ timeout: 15_000 });
    expect(await warning.innerText()).toContain("Ann's security key changed");
    // No media key goes to the changed key while the person has not confirmed.
    await new Promise((r) => setTimeout(r, 2000));
    const keysTo = async () => (await sent(host)).filter((m) => m.type === 'e2ee.key' && m.to === annId).length;
    expect(await keysTo()).toBe(0);

    await warning.getByTestId('trust-key').click();
    await expect.poll(keysTo, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await host.locator('[data-kind="key-changed"]').count()).toBe(0);
  });
});
