/**
 * Events (issue 15, item 4): a meeting created as an event lets hosts and panelists publish;
 * attendees join receive-only (`media.publish` refused with ATTENDEE_CANNOT_PUBLISH before the
 * media server is reached), are in the roster and on the chain like everyone, raise a hand and
 * are promoted by a host. Mute-all and the mic lock are host actions on the chain. Everything
 * goes through the real WebSocket; the attack cases play a hostile attendee or panelist.
 */
import { describe, expect, it } from 'vitest';
import type { RosterEvent } from '../../protocol/roster-chain.js';
import type { JoinResult, MeetingInfo, RosterEntry } from '../../protocol/signaling.js';
import { createMeeting, serverPerTest, signUp, type WsClient } from '../helpers/app.js';
import type { createNullMedia } from '../helpers/null-media.js';

const { server, client, joined } = serverPerTest();

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const code = (r: Awaited<ReturnType<WsClient['send']>>) => (r.ok ? 'ok' : r.error.code);
const media = () => server.services.media as unknown as ReturnType<typeof createNullMedia>;

/** An event with its host and two attendees, Ann and Bob. */
async function eventScene(event = true) {
  const owner = await signUp(server);
  const m = await createMeeting(server, owner.cookie, { event });
  const host = await joined(m.id, 'Host', owner.cookie);
  const ann = await joined(m.id, 'Ann');
  const bob = await joined(m.id, 'Bob');
  return { meetingId: m.id, host, ann, bob };
}

/** The chain as one client holds it: the join's chain, then every roster event after it. */
const chainOf = (ws: WsClient, join: JoinResult): RosterEvent[] => {
  const bySeq = new Map(join.chain.map((e) => [e.seq, e]));
  for (const e of ws.events) if (e.event === 'roster.event') bySeq.set(e.data.seq, e.data);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
};

describe('events: attendees receive only', () => {
  it('stores the event flag at creation and shows it to anyone with the link', async () => {
    const owner = await signUp(server);
    const m = await createMeeting(server, owner.cookie, { event: true });
    const pub = await server.app.inject({ method: 'GET', url: `/api/meetings/${m.id}/public` });
    expect(pub.json<{ event: boolean }>().event).toBe(true);
    const plain = await createMeeting(server, owner.cookie);
    expect((await server.app.inject({ method: 'GET', url: `/api/meetings/${plain.id}/public` })).json<{ event: boolean }>().event).toBe(false);
  });

  it("refuses an attendee's media.publish with ATTENDEE_CANNOT_PUBLISH, before the media server", async () => {
    const { host, ann } = await eventScene();
    expect(ann.join.role).toBe('attendee');
    expect(ann.join.meeting.event).toBe(true);
    const r = await ann.ws.send('media.publish', { sdp: OFFER });
    expect(code(r)).toBe('ATTENDEE_CANNOT_PUBLISH');
    // Claiming a live mic or camera is refused the same way.
    expect(code(await ann.ws.send('media.state', { audio: true, video: false, screen: false }))).toBe('ATTENDEE_CANNOT_PUBLISH');
    // The host publishes as always.
    expect(code(await host.ws.send('media.publish', { sdp: OFFER }))).toBe('ok');
  });

  it('puts attendees in the roster and on the chain that every client sees, with their role', async () => {
    const { host, ann, bob } = await eventScene();
    const seen = await host.ws.waitEvent('participant.joined', (d: RosterEntry) => d.participantId === bob.id);
    expect((seen.data as RosterEntry).role).toBe('attendee');
    // Bob, an attendee, sees Ann (an attendee) in his roster and chain too.
    expect(bob.join.roster.find((p) => p.participantId === ann.id)?.role).toBe('attendee');
    const joins = chainOf(bob.ws, bob.join).filter((e) => e.kind === 'join');
    expect(joins.map((e) => [e.displayName, e.role])).toEqual([
      ['Host', 'host'],
      ['Ann', 'attendee'],
      ['Bob', 'attendee'],
    ]);
    // And they receive: the media plane attaches them (next turn), as it does everyone in the roster.
    await bob.ws.until(() => media().members.has(bob.id));
  });

  it('lists raised hands in the order raised; a host promotes, the panelist publishes, a demotion takes it back', async () => {
    const { host, ann, bob } = await eventScene();
    await bob.ws.request('hand.raise', { raised: true });
    await new Promise((r) => setTimeout(r, 5));
    await ann.ws.request('hand.raise', { raised: true });
    const bobUp = await host.ws.waitEvent('participant.updated', (d: RosterEntry) => d.participantId === bob.id && d.hand === true);
    const annUp = await host.ws.waitEvent('participant.updated', (d: RosterEntry) => d.participantId === ann.id && d.hand === true);
    expect((bobUp.data as RosterEntry).handAt).toBeLessThan((annUp.data as RosterEntry).handAt ?? 0);

    await host.ws.request('host.panelist', { participantId: ann.id, panelist: true });
    const promoted = await ann.ws.waitEvent('participant.updated', (d: RosterEntry) => d.participantId === ann.id && d.role === 'panelist');
    expect((promoted.data as RosterEntry).hand).toBeUndefined();
    const roleEvent = await bob.ws.waitEvent('roster.event', (e: RosterEvent) => e.kind === 'role' && e.participantId === ann.id);
    expect((roleEvent.data as RosterEvent).role).toBe('panelist');
    expect(code(await ann.ws.send('media.publish', { sdp: OFFER }))).toBe('ok');
    expect(code(await ann.ws.send('media.state', { audio: true, video: true, screen: false }))).toBe('ok');

    await host.ws.request('host.panelist', { participantId: ann.id, panelist: false });
    const demoted = await bob.ws.waitEvent('participant.updated', (d: RosterEntry) => d.participantId === ann.id && d.role === 'attendee');
    expect((demoted.data as RosterEntry).audio).toBe(false);
    expect(media().calls).toContain(`mute:${ann.id}:true`);
    expect(media().calls).toContain(`unpublish:${ann.id}`);
    expect(code(await ann.ws.send('media.publish', { sdp: OFFER }))).toBe('ATTENDEE_CANNOT_PUBLISH');
    expect(
      chainOf(bob.ws, bob.join)
        .filter((e) => e.kind === 'role')
        .map((e) => e.role),
    ).toEqual(['panelist', 'attendee']);
  });

  it('a co-host of an event who steps down stays a panelist (no plain participants in events)', async () => {
    const { host, ann } = await eventScene();
    await host.ws.request('host.panelist', { participantId: ann.id, panelist: true });
    await host.ws.request('host.role', { participantId: ann.id, role: 'cohost' });
    await host.ws.request('host.role', { participantId: ann.id, role: 'participant' });
    await host.ws.waitEvent('participant.updated', (d: RosterEntry) => d.participantId === ann.id && d.role === 'panelist' && d.hand === undefined);
    expect(
      chainOf(host.ws, host.join)
        .filter((e) => e.kind === 'role')
        .map((e) => e.role),
    ).toEqual(['panelist', 'cohost', 'panelist']);
    expect(code(await ann.ws.send('media.publish', { sdp: OFFER }))).toBe('ok');
  });

  it('refuses panelists in a meeting that is not an event', async () => {
    const { host, ann } = await eventScene(false);
    expect(ann.join.role).toBe('participant');
    expect(code(await host.ws.send('host.panelist', { participantId: ann.id, panelist: true }))).toBe('NOT_AN_EVENT');
    expect(code(await ann.ws.send('media.publish', { sdp: OFFER }))).toBe('ok');
  });
});

describe('events: mute all', () => {
  it('mutes every publisher but the hosts, keeps them muted while locked, and puts both on the chain', async () => {
    const { host, ann, bob } = await eventScene();
    await host.ws.request('host.panelist', { participantId: ann.id, panelist: true });
    await ann.ws.request('media.state', { audio: true, video: true, screen: false });
    await host.ws.request('host.mute-all', { lock: true });
    await ann.ws.waitEvent('you.muted');
    // The update after mute-all: camera still on, mic off.
    await bob.ws.waitEvent('participant.updated', (d: RosterEntry) => d.participantId === ann.id && d.audio && d.video);
    await bob.ws.waitEvent('participant.updated', (d: RosterEntry) => d.participantId === ann.id && !d.audio && d.video);
    const locked = await bob.ws.waitEvent('meeting.updated', (d: MeetingInfo) => d.micsLocked === true);
    expect((locked.data as MeetingInfo).micsLocked).toBe(true);
    expect(media().calls).toContain(`mute:${ann.id}:true`);
    expect(media().calls).not.toContain(`mute:${host.id}:true`);

    expect(code(await ann.ws.send('media.state', { audio: true, video: true, screen: false }))).toBe('MICS_LOCKED');
    expect(code(await host.ws.send('media.state', { audio: true, video: true, screen: false }))).toBe('ok');
    await host.ws.request('host.mics-lock', { locked: false });
    expect(code(await ann.ws.send('media.state', { audio: true, video: true, screen: false }))).toBe('ok');
    const kinds = chainOf(bob.ws, bob.join).map((e) => e.kind);
    expect(kinds.slice(-4)).toEqual(['role', 'mute-all', 'mics-lock', 'mics-unlock']);
  });
});

describe('events: a hostile attendee or panelist cannot act as host', () => {
  it('refuses promote, demote, mute-all and the mic lock from non-hosts, and changes nothing', async () => {
    const { host, ann, bob } = await eventScene();
    await host.ws.request('host.panelist', { participantId: bob.id, panelist: true });
    await bob.ws.waitEvent('roster.event', (e: RosterEvent) => e.kind === 'role');
    const before = chainOf(bob.ws, bob.join).length;
    // Ann (attendee) tries to promote herself and mute everyone; Bob (panelist) tries the same.
    expect(code(await ann.ws.send('host.panelist', { participantId: ann.id, panelist: true }))).toBe('NOT_HOST');
    expect(code(await ann.ws.send('host.mute-all', { lock: true }))).toBe('NOT_HOST');
    expect(code(await ann.ws.send('host.mics-lock', { locked: true }))).toBe('NOT_HOST');
    expect(code(await bob.ws.send('host.panelist', { participantId: ann.id, panelist: true }))).toBe('NOT_HOST');
    expect(code(await bob.ws.send('host.panelist', { participantId: bob.id, panelist: false }))).toBe('NOT_HOST');
    expect(code(await bob.ws.send('host.mute-all', { lock: false }))).toBe('NOT_HOST');
    // A forged role in the join is refused by the schema (strict), so nobody joins as panelist.
    const ws = await client();
    const forged = await ws.send('join', { meetingId: bob.join.meeting.meetingId, displayName: 'Eve', role: 'panelist' });
    expect(code(forged)).toBe('VALIDATION_FAILED');
    expect(code(await ann.ws.send('media.publish', { sdp: OFFER }))).toBe('ATTENDEE_CANNOT_PUBLISH');
    await new Promise((r) => setTimeout(r, 50));
    expect(chainOf(bob.ws, bob.join).length).toBe(before);
    expect(media().calls.filter((c) => c.startsWith('mute:'))).toEqual([]);
  });
});
