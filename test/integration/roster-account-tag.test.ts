/**
 * The roster chain's `account` tag (trust on first use in the browser, web/src/security/pins.ts): the same
 * for one account in every meeting, different between accounts, absent for guests, and never
 * the account id itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RosterEvent } from '../../protocol/roster-chain.js';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';

let server: TestServer;
const clients: WsClient[] = [];
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

async function joinAs(meetingId: string, cookie?: string) {
  const c = await WsClient.open(server.wsUrl, cookie ? { cookie } : {});
  clients.push(c);
  return c.request<{ participantId: string; chain: RosterEvent[] }>('join', { meetingId, displayName: 'Someone' });
}

describe('the account tag in the roster chain', () => {
  it('is stable per account across meetings, differs between accounts, is absent for guests and hides the account id', async () => {
    const host = await signUp(server);
    const other = await signUp(server);
    const m1 = await createMeeting(server, host.cookie);
    const m2 = await createMeeting(server, host.cookie);
    const h1 = await joinAs(m1.id, host.cookie);
    const h2 = await joinAs(m2.id, host.cookie);
    const o1 = await joinAs(m1.id, other.cookie);
    const g1 = await joinAs(m1.id);
    const tag = (r: { participantId: string }, chain: RosterEvent[]) => chain.find((e) => e.participantId === r.participantId)?.account;
    const chain1 = g1.chain;
    expect(tag(h1, chain1)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tag(h1, chain1)).toBe(tag(h2, h2.chain));
    expect(tag(o1, chain1)).not.toBe(tag(h1, chain1));
    expect(tag(g1, chain1)).toBeUndefined();
    expect(JSON.stringify(chain1)).not.toContain(host.user.id);
  });
});
