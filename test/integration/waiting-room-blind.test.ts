/**
 * A1 (a hostile participant with the link) must never learn who is in a meeting before being
 * admitted. Played through a real WebSocket: everything a waiting entrant receives (join
 * result, events, a resumed join) carries the meeting's title and their own state only; a
 * person the host then denies has learnt nothing more.
 */
import { describe, expect, it } from 'vitest';
import { createMeeting, serverPerTest, signUp, type WsClient } from '../helpers/app.js';

const { server, client } = serverPerTest();

// 176 base64 characters, the shape of a real identity key; distinctive enough to search for.
const keyOf = (tag: string) => (tag.repeat(176 / tag.length + 1).slice(0, 172) + 'AA==').replace(/[^A-Za-z0-9+/=]/g, 'A');

/** Everything a socket received, as one string, to search for names, ids and keys. */
const everything = (c: WsClient) => JSON.stringify([...c.responses.values(), ...c.events]);

async function meetingWithMembers() {
  const host = await signUp(server, { displayName: 'Hostname' });
  const m = await createMeeting(server, host.cookie, { waitingRoom: true, title: 'Vigil' });
  const h = await client({ cookie: host.cookie });
  const hj = await h.request<{ participantId: string }>('join', { meetingId: m.id, displayName: 'Harriet Host', identityKey: keyOf('Harriet') });
  // The host admits Ann and Bo; Bo then leaves (the chain records it).
  const joined: { c: WsClient; id: string }[] = [];
  for (const name of ['Ann Attendee', 'Bo Bystander']) {
    const c = await client();
    const r = await c.request<{ participantId: string }>('join', { meetingId: m.id, displayName: name, identityKey: keyOf(name.slice(0, 3)) });
    await h.request('host.admit', { participantId: r.participantId });
    await c.waitEvent('you.admitted');
    joined.push({ c, id: r.participantId });
  }
  await joined[1]!.c.request('leave');
  return { m, h, hostId: hj.participantId, annId: joined[0]!.id, boId: joined[1]!.id, ann: joined[0]!.c };
}

function expectBlind(c: WsClient, s: { hostId: string; annId: string; boId: string }) {
  const seen = everything(c);
  for (const secret of ['Harriet', 'Ann Attendee', 'Bo Bystander', s.hostId, s.annId, s.boId, keyOf('Harriet'), keyOf('Ann'), keyOf('Bo ')]) {
    expect(seen).not.toContain(secret);
  }
}

describe('the waiting room', () => {
  it('gives a waiting entrant the title and their own state only: no roster, no chain, no names or keys', async () => {
    const s = await meetingWithMembers();
    const eve = await client();
    const r = await eve.request<Record<string, unknown>>('join', { meetingId: s.m.id, displayName: 'Eve', identityKey: keyOf('Eve') });
    expect(r).toMatchObject({ state: 'waiting', meeting: { title: 'Vigil' } });
    expect(r.roster).toEqual([]);
    expect(r.chain).toEqual([]);
    // While Eve waits, the meeting goes on: chat, a mute, a role change, a lock and unlock.
    await s.ann.request('chat.send', { text: 'Ann Attendee says hello' });
    await s.h.request('host.mute', { participantId: s.annId });
    await s.h.request('host.role', { participantId: s.annId, role: 'cohost' });
    await s.h.request('host.lock', { locked: true });
    await s.h.request('host.lock', { locked: false });
    await s.h.waitEvent('waiting.joined', (d: { displayName: string }) => d.displayName === 'Eve');
    expectBlind(eve, s);
  });

  it('tells a waiting entrant who reconnects with their resume token nothing more', async () => {
    const s = await meetingWithMembers();
    const eve = await client();
    const r = await eve.request<{ resumeToken: string; participantId: string }>('join', { meetingId: s.m.id, displayName: 'Eve' });
    const again = await client();
    const r2 = await again.request<Record<string, unknown>>('join', { meetingId: s.m.id, displayName: 'Eve', resumeToken: r.resumeToken });
    expect(r2).toMatchObject({ state: 'waiting', participantId: r.participantId });
    expectBlind(eve, s);
    expectBlind(again, s);
  });

  it('lets a denied entrant leave knowing nothing of who attended', async () => {
    const s = await meetingWithMembers();
    const eve = await client();
    const r = await eve.request<{ participantId: string }>('join', { meetingId: s.m.id, displayName: 'Eve', identityKey: keyOf('Eve') });
    await s.h.request('host.deny', { participantId: r.participantId });
    await eve.until(() => eve.closeCode !== null);
    expect(eve.event('you.removed')?.data).toEqual({ kind: 'host' });
    expectBlind(eve, s);
  });

  it('gives the roster and chain only with admission', async () => {
    const s = await meetingWithMembers();
    const eve = await client();
    const r = await eve.request<{ participantId: string }>('join', { meetingId: s.m.id, displayName: 'Eve' });
    await s.h.request('host.admit', { participantId: r.participantId });
    const admitted = await eve.waitEvent('you.admitted');
    const data = (admitted as { data: { roster: { displayName: string }[]; chain: unknown[] } }).data;
    expect(data.roster.map((p) => p.displayName).sort()).toEqual(['Ann Attendee', 'Eve', 'Harriet Host']);
    expect(data.chain.length).toBeGreaterThan(0);
  });
});
