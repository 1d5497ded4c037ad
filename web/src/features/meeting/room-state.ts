/** The meeting room's state as a pure reducer over signaling events. */
import type { ChatMessageData, JoinResult, MeetingInfo, MeetingRole, RemovalNotice, RosterEntry, ServerEvent } from '../../../../protocol/signaling.js';
import type { ConnectionState } from '../../lib/signaling.js';

/** As relayed: plain `text`, or `sealed` end to end (opened by use-chat.ts). */
export type ChatMessage = ChatMessageData;
export type HostNotice = Extract<ServerEvent, { event: 'host.notice' }>['data'] & { at: number };

export interface RoomState {
  selfId: string;
  role: MeetingRole;
  phase: 'waiting' | 'joined' | 'removed';
  meeting: MeetingInfo;
  roster: RosterEntry[];
  waiting: RosterEntry[];
  chat: ChatMessage[];
  speaker: string | null;
  notices: HostNotice[];
  removal: RemovalNotice | null;
  connection: ConnectionState;
  /** Increments on every join/re-join/admission: media sessions restart when it changes. */
  session: number;
  iceServers: JoinResult['iceServers'];
}

export type RoomAction =
  { type: 'joined'; result: JoinResult } | ServerEvent | { type: 'connection'; state: ConnectionState } | { type: 'removed'; notice: RemovalNotice };

export function initialRoom(result: JoinResult): RoomState {
  return applyJoin(
    {
      selfId: result.participantId,
      role: result.role,
      phase: 'joined',
      meeting: result.meeting,
      roster: [],
      waiting: [],
      chat: [],
      speaker: null,
      notices: [],
      removal: null,
      connection: 'open',
      session: 0,
      iceServers: result.iceServers,
    },
    result,
  );
}

function applyJoin(s: RoomState, r: JoinResult): RoomState {
  return {
    ...s,
    selfId: r.participantId,
    role: r.role,
    phase: r.state === 'waiting' ? 'waiting' : 'joined',
    meeting: r.meeting,
    roster: r.roster.filter((p) => !p.waiting),
    waiting: r.roster.filter((p) => p.waiting === true),
    iceServers: r.iceServers,
    session: s.session + 1,
  };
}

function upsert(list: RosterEntry[], e: RosterEntry): RosterEntry[] {
  const i = list.findIndex((p) => p.participantId === e.participantId);
  if (i < 0) return [...list, e];
  const next = list.slice();
  next[i] = e;
  return next;
}
const without = (list: RosterEntry[], id: string) => list.filter((p) => p.participantId !== id);

export function roomReducer(s: RoomState, a: RoomAction): RoomState {
  if (s.phase === 'removed' && !('type' in a && a.type === 'connection')) return s;
  if ('type' in a) {
    switch (a.type) {
      case 'joined':
        return applyJoin(s, a.result);
      case 'connection':
        return { ...s, connection: a.state };
      case 'removed':
        return { ...s, phase: 'removed', removal: a.notice };
    }
  }
  switch (a.event) {
    case 'roster.snapshot':
      return {
        ...s,
        meeting: a.data.meeting,
        roster: a.data.roster.filter((p) => !p.waiting),
        waiting: a.data.roster.some((p) => p.waiting) ? a.data.roster.filter((p) => p.waiting === true) : s.waiting,
      };
    case 'participant.joined':
    case 'participant.updated': {
      const roster = upsert(s.roster, a.data);
      const role = a.data.participantId === s.selfId ? a.data.role : s.role;
      return { ...s, roster, role, waiting: without(s.waiting, a.data.participantId) };
    }
    case 'participant.left':
      return {
        ...s,
        roster: without(s.roster, a.data.participantId),
        speaker: s.speaker === a.data.participantId ? null : s.speaker,
      };
    case 'waiting.joined':
      return { ...s, waiting: upsert(s.waiting, a.data) };
    case 'waiting.left':
      return { ...s, waiting: without(s.waiting, a.data.participantId) };
    case 'you.admitted':
      return applyJoin(s, a.data);
    case 'you.removed':
      return { ...s, phase: 'removed', removal: a.data };
    case 'meeting.ended':
      return { ...s, phase: 'removed', removal: { kind: 'meeting-ended' } };
    case 'meeting.updated':
      return { ...s, meeting: a.data };
    case 'chat.message':
      if (s.chat.some((m) => m.messageId === a.data.messageId)) return s;
      return { ...s, chat: [...s.chat, a.data].slice(-500) };
    case 'speaker.active':
      return { ...s, speaker: a.data.participantId };
    case 'host.notice':
      return { ...s, notices: [...s.notices, { ...a.data, at: Date.now() }] };
    default:
      // media.*, you.muted, e2ee and roster-chain events are handled elsewhere; unknown ones are ignored.
      return s;
  }
}

export const isHostRole = (r: MeetingRole): boolean => r === 'host' || r === 'cohost';
