import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rosterFromChain, securityCode, verifyRosterChain, type RosterEvent } from '../../protocol/roster-chain.js';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
let server: TestServer;
const clients: WsClient[] = [];
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

/** What a client would hold: the chain from its join result plus every roster.event after. */
function chainSeenBy(c: WsClient, initial: RosterEvent[]): RosterEvent[] {
  const later = c.events.filter((e) => e.event === 'roster.event').map((e) => e.data);
  const out = [...initial];
  for (const e of later) if (!out.some((x) => x.seq === e.seq)) out.push(e);
  return out;
}

describe('the roster hash chain', () => {
  it('gives every participant the same verifiable chain and security code', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const h = await WsClient.open(server.wsUrl, { cookie: host.cookie });
    const a = await WsClient.open(server.wsUrl);
    const b = await WsClient.open(server.wsUrl);
    clients.push(h, a, b);
    const hj = await h.request<{ chain: RosterEvent[] }>('join', { meetingId: m.id, displayName: 'Host', identityKey: 'a2V5LWhvc3Q=' });
    const aj = await a.request<{ chain: RosterEvent[]; participantId: string }>('join', { meetingId: m.id, displayName: 'Ann' });
    const bj = await b.request<{ chain: RosterEvent[] }>('join', { meetingId: m.id, displayName: 'Bo' });
    await h.request('host.lock', { locked: true });
    await h.request('host.remove', { participantId: aj.participantId });
    await h.waitEvent('roster.event', (d) => d.kind === 'removal');
    await b.waitEvent('roster.event', (d) => d.kind === 'removal');

    const hc = chainSeenBy(h, hj.chain);
    const bc = chainSeenBy(b, bj.chain);
    expect(await verifyRosterChain(hc, sha, { meetingId: m.id })).toBeNull();
    expect(await verifyRosterChain(bc, sha, { meetingId: m.id })).toBeNull();
    expect(hc.map((e) => e.kind)).toEqual(['join', 'join', 'join', 'lock', 'removal']);
    expect(hc.at(-1)!.hash).toBe(bc.at(-1)!.hash);
    expect(securityCode(hc.at(-1)!.hash)).toMatch(/^\d{5} \d{5} \d{5} \d{5}$/);
    expect([...rosterFromChain(hc).values()].map((p) => p.displayName).sort()).toEqual(['Bo', 'Host']);
    expect(hc[0]!.identityKey).toBe('a2V5LWhvc3Q=');
    // The live server state matches what the chain says.
    const live = server.services.rooms
      .listParticipants(m.id)
      .map((p) => p.participantId)
      .sort();
    expect([...rosterFromChain(hc).keys()].sort()).toEqual(live);
  });

  it('detects a tampered, dropped or forked link', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const h = await WsClient.open(server.wsUrl, { cookie: host.cookie });
    const a = await WsClient.open(server.wsUrl);
    clients.push(h, a);
    await h.request('join', { meetingId: m.id, displayName: 'Host' });
    const aj = await a.request<{ chain: RosterEvent[] }>('join', { meetingId: m.id, displayName: 'Ann' });
    await a.request('leave');
    await h.waitEvent('roster.event', (d) => d.kind === 'leave');
    const chain = chainSeenBy(h, aj.chain);
    expect(await verifyRosterChain(chain, sha, { meetingId: m.id })).toBeNull();
    const renamed = chain.map((e, i) => (i === 1 ? { ...e, displayName: 'Someone else' } : e));
    expect(await verifyRosterChain(renamed, sha, { meetingId: m.id })).toEqual({ kind: 'bad-hash', at: 1 });
    expect((await verifyRosterChain([chain[0]!, chain[2]!], sha, { meetingId: m.id }))?.kind).toBe('gap');
    const forked = [chain[0]!, { ...chain[1]!, prev: 'f'.repeat(64) }];
    expect((await verifyRosterChain(forked, sha, { meetingId: m.id }))?.kind).toBe('fork');
  });
});
