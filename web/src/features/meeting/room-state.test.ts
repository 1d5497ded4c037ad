import { describe, expect, it } from 'vitest';
import type { JoinResult, RosterEntry } from '../../../../protocol/signaling.js';
import { initialRoom, roomReducer, type RoomAction, type RoomState } from './room-state.js';

function entry(id: string, extra: Partial<RosterEntry> = {}): RosterEntry {
  return { participantId: id, displayName: id.toUpperCase(), role: 'participant', audio: true, video: true, screen: false, joinedAt: 1, ...extra };
}
function join(roster: RosterEntry[], extra: Partial<JoinResult> = {}): JoinResult {
  return {
    participantId: 'me',
    resumeToken: 't',
    state: 'joined',
    role: 'host',
    meeting: { meetingId: 'm', title: 'M', locked: false, waitingRoom: true, e2ee: false },
    roster,
    iceServers: [],
    ...extra,
  } as JoinResult;
}
const run = (s: RoomState, ...actions: RoomAction[]) => actions.reduce(roomReducer, s);
const ids = (list: RosterEntry[]) => list.map((p) => p.participantId);

describe('room state', () => {
  it('splits waiting entries out of the join roster', () => {
    const s = initialRoom(join([entry('me', { role: 'host' }), entry('a'), entry('w', { waiting: true })]));
    expect(ids(s.roster)).toEqual(['me', 'a']);
    expect(ids(s.waiting)).toEqual(['w']);
  });

  it('never lists a participant twice, however often they are announced', () => {
    const s = run(
      initialRoom(join([entry('me')])),
      { event: 'participant.joined', data: entry('a') },
      { event: 'participant.joined', data: entry('a', { audio: false }) },
      { event: 'participant.updated', data: entry('a', { video: false }) },
    );
    expect(ids(s.roster)).toEqual(['me', 'a']);
    expect(s.roster[1]).toMatchObject({ audio: true, video: false });
  });

  it('replaces the roster wholesale on a re-join and starts a new media session', () => {
    const s0 = run(initialRoom(join([entry('me')])), { event: 'participant.joined', data: entry('gone') });
    const s1 = run(s0, { type: 'joined', result: join([entry('me'), entry('b')]) });
    expect(ids(s1.roster)).toEqual(['me', 'b']);
    expect(s1.session).toBe(s0.session + 1);
  });

  it('moves an admitted participant from the waiting list to the roster', () => {
    const s = run(
      initialRoom(join([entry('me')])),
      { event: 'waiting.joined', data: entry('w', { waiting: true }) },
      { event: 'participant.joined', data: entry('w') },
    );
    expect(ids(s.waiting)).toEqual([]);
    expect(ids(s.roster)).toEqual(['me', 'w']);
  });

  it('keeps every enforcement notice for the host while the meeting carries on', () => {
    const notice = { kind: 'enforcement' as const, count: 2, jurisdiction: 'CN', demandId: 17, authority: 'CAC' };
    const s = run(initialRoom(join([entry('me')])), { event: 'host.notice', data: notice }, { event: 'host.notice', data: { ...notice, demandId: 18 } });
    expect(s.notices.map((n) => n.demandId)).toEqual([17, 18]);
    expect(s.phase).toBe('joined');
  });

  it('stops on removal and ignores what follows', () => {
    const s = run(
      initialRoom(join([entry('me')])),
      { event: 'you.removed', data: { kind: 'legal', authority: 'X', jurisdiction: 'HK' } },
      { event: 'participant.joined', data: entry('late') },
    );
    expect(s.phase).toBe('removed');
    expect(s.removal).toEqual({ kind: 'legal', authority: 'X', jurisdiction: 'HK' });
    expect(ids(s.roster)).toEqual(['me']);
  });

  it('turns meeting.ended into the meeting-ended notice', () => {
    const s = run(initialRoom(join([entry('me')])), { event: 'meeting.ended', data: { by: 'h' } });
    expect(s.removal).toEqual({ kind: 'meeting-ended' });
  });

  it('starts in the waiting phase when the join says so, and joins on admission', () => {
    const s0 = initialRoom(join([], { state: 'waiting', role: 'participant' }));
    expect(s0.phase).toBe('waiting');
    const s1 = run(s0, { event: 'you.admitted', data: join([entry('h', { role: 'host' }), entry('me')], { role: 'participant' }) });
    expect(s1.phase).toBe('joined');
    expect(ids(s1.roster)).toEqual(['h', 'me']);
  });
});
