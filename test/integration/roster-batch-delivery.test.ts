/**
 * Batched and one-by-one roster delivery are the same history (property, fast-check). A real
 * Room (server/meetings) runs random joins, leaves, removals, role changes, media-state changes,
 * locks and chat, with pauses of random length that cut batches in different places. One
 * member's client takes single events, another's `roster.events` frames; each feeds what it
 * received to the real ChainKeeper and room reducer (web/). Both must end verified, at the
 * server's head, with the same members and the same roster list.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unfoldRosterBatch } from '../../protocol/roster-batch.js';
import type { JoinResult, ServerEvent, ServerMessage } from '../../protocol/signaling.js';
import { Room, toRosterEntry, type Participant } from '../../server/meetings/room.js';
import { acceptRosterBatches } from '../../server/meetings/roster-batch.js';
import type { ClientChannel, MeetingRecord } from '../../server/meetings/types.js';
import { initialRoom, roomReducer } from '../../web/src/features/meeting/room-state.js';
import { ChainKeeper } from '../../web/src/security/chain-keeper.js';

type Op =
  | { kind: 'join' }
  | { kind: 'leave' | 'remove'; pick: number }
  | { kind: 'role'; pick: number; cohost: boolean }
  | { kind: 'media'; pick: number; audio: boolean }
  | { kind: 'lock'; locked: boolean }
  | { kind: 'chat' }
  | { kind: 'pause'; ms: 0 | 20 | 60 };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'join' as const }) },
  fc.record({ kind: fc.constantFrom('leave' as const, 'remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('role' as const), pick: fc.nat(), cohost: fc.boolean() }),
  fc.record({ kind: fc.constant('media' as const), pick: fc.nat(), audio: fc.boolean() }),
  fc.record({ kind: fc.constant('lock' as const), locked: fc.boolean() }),
  fc.constant({ kind: 'chat' as const }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.constantFrom(0 as const, 20 as const, 60 as const) }) },
);

function meeting(): MeetingRecord {
  return {
    id: 'm1',
    hostUserId: 'u',
    title: 'Memorial',
    hasPasscode: false,
    waitingRoom: false,
    e2ee: false,
    locked: false,
    scheduledAt: null,
    createdAt: 0,
    endedAt: null,
  };
}

/** A socket's receiving end, as the client sees it: every event message in order. */
function recorder(): { channel: ClientChannel; received: Extract<ServerMessage, { type: 'event' }>[] } {
  const received: Extract<ServerMessage, { type: 'event' }>[] = [];
  const take = (m: ServerMessage) => {
    if (m.type === 'event') received.push(m);
  };
  const channel: ClientChannel = {
    address: '127.0.0.1',
    deviceId: null,
    userId: null,
    send: take,
    sendText: (t) => take(JSON.parse(t) as ServerMessage),
    close: () => undefined,
  };
  return { channel, received };
}

let n = 0;
/** Into the roster the way join.ts and RoomManager.enterRoster do it; returns the join result. */
function enter(room: Room, channel: ClientChannel | null): { p: Participant; result: JoinResult } {
  const p: Participant = {
    id: `p${++n}`,
    meetingId: room.id,
    displayName: `Mourner ${n}`,
    role: 'participant',
    userId: null,
    deviceId: null,
    identityKey: Buffer.alloc(65, n % 256).toString('base64'),
    resumeTokenHash: '',
    state: 'joined',
    channel,
    location: { address: '127.0.0.1', country: null } as unknown as Participant['location'],
    audio: true,
    video: true,
    screen: false,
    joinedAt: n,
    graceTimer: null,
  };
  room.participants.set(p.id, p);
  room.broadcast({ event: 'participant.joined', data: toRosterEntry(p) }, p.id);
  room.record('join', p);
  const result = {
    participantId: p.id,
    resumeToken: '',
    state: 'joined',
    role: p.role,
    meeting: room.info(),
    roster: room.roster(),
    chain: [...room.chain],
    iceServers: [],
  };
  return { p, result: result as JoinResult };
}

/** What one client makes of what it received: its verified chain and its roster list. */
async function view(result: JoinResult, received: Extract<ServerMessage, { type: 'event' }>[]) {
  const keeper = new ChainKeeper(result.meeting.meetingId, { selfId: result.participantId });
  await keeper.load(result.chain);
  let state = initialRoom(result);
  const events: ServerEvent[] = [];
  for (const m of received) events.push(...(m.event === 'roster.events' ? unfoldRosterBatch(m.data.items) : [m]));
  const verifying: Promise<void>[] = [];
  for (const e of events) {
    if (e.event === 'roster.event') verifying.push(keeper.append(e.data));
    state = roomReducer(state, e);
  }
  await Promise.all(verifying);
  const canonical = (r: object) => JSON.stringify(Object.entries(r).sort(([x], [y]) => (x < y ? -1 : 1)));
  return { verified: keeper.verified, head: keeper.head, members: [...keeper.members.keys()].sort(), roster: state.roster.map(canonical) };
}

describe('roster delivery, batched or one by one', () => {
  it('ends with the same verified head, members and roster list either way', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
        const room = new Room(meeting());
        const single = recorder();
        const batched = recorder();
        acceptRosterBatches(batched.channel);
        const a = enter(room, single.channel);
        const b = enter(room, batched.channel);
        const others: Participant[] = [];
        for (const o of ops) {
          const target = others.length > 0 && 'pick' in o ? others[o.pick % others.length] : undefined;
          if (o.kind === 'join') others.push(enter(room, null).p);
          else if ((o.kind === 'leave' || o.kind === 'remove') && target) {
            room.participants.delete(target.id);
            others.splice(others.indexOf(target), 1);
            room.broadcast({ event: 'participant.left', data: { participantId: target.id, reason: o.kind === 'leave' ? 'left' : 'removed' } });
            room.record(o.kind === 'leave' ? 'leave' : 'removal', target);
          } else if (o.kind === 'role' && target) {
            target.role = o.cohost ? 'cohost' : 'participant';
            room.broadcast({ event: 'participant.updated', data: toRosterEntry(target) });
            room.record('role', target);
          } else if (o.kind === 'media' && target) {
            target.audio = o.audio;
            room.broadcast({ event: 'participant.updated', data: toRosterEntry(target) });
          } else if (o.kind === 'lock') {
            room.meeting = { ...room.meeting, locked: o.locked };
            room.broadcast({ event: 'meeting.updated', data: room.info() });
            room.record(o.locked ? 'lock' : 'unlock');
          } else if (o.kind === 'chat') {
            room.broadcast({ event: 'chat.message', data: { messageId: `c${n}`, from: a.p.id, displayName: 'A', text: 'remember', at: 0 } });
          } else if (o.kind === 'pause') {
            await new Promise((r) => (o.ms === 0 ? setImmediate(r) : setTimeout(r, o.ms)));
          }
        }
        room.rosterBatch.flush();
        const one = await view(a.result, single.received);
        const many = await view(b.result, batched.received);
        expect(one.verified && many.verified).toBe(true);
        expect(many.head).toBe(room.chain.at(-1)?.hash);
        expect(one.head).toBe(many.head);
        expect(many.members).toEqual(one.members);
        expect([...many.roster].sort()).toEqual([...one.roster].sort());
        // Every roster change the single-event client got arrived in no more frames when batched.
        expect(batched.received.length).toBeLessThanOrEqual(single.received.length);
      }),
      { numRuns: 60 },
    );
  });
});
