/** admitParticipant: the join flow, in the order the checks must run. */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../protocol/errors.js';
import type { JoinResult } from '../../protocol/signaling.js';
import { sendEvent, toRosterEntry, type Participant, type Room } from './room.js';
import { sha256, type RoomManager } from './rooms.js';
import type { ClientChannel } from './types.js';

export interface JoinRequest {
  meetingId: string;
  displayName: string;
  passcode?: string | undefined;
  resumeToken?: string | undefined;
  identityKey?: string | undefined;
}

/** Subjects a host removal bans: the account, the browser, the token and the device key. */
export function banSubjects(p: Pick<Participant, 'userId' | 'deviceId' | 'resumeTokenHash' | 'identityKey'>): string[] {
  const s = [`token:${p.resumeTokenHash}`];
  if (p.userId) s.push(`user:${p.userId}`);
  if (p.deviceId) s.push(`device:${p.deviceId}`);
  if (p.identityKey) s.push(`key:${sha256(p.identityKey)}`);
  return s;
}

/**
 * The join result. Someone in the waiting room learns the meeting's settings (title, and the
 * flags /api/meetings/:id/public shows anyone with the link) and their own state only: no
 * roster, no chain, no relay credentials. Those arrive with admission (`you.admitted`), so a
 * person the host denies never learns who attended.
 */
function joinResult(mgr: RoomManager, room: Room, p: Participant, resumeToken: string): JoinResult {
  const waiting = p.state === 'waiting';
  return {
    participantId: p.id,
    resumeToken,
    state: waiting ? 'waiting' : 'joined',
    role: p.role,
    meeting: room.info(),
    roster: waiting ? [] : room.roster(),
    chain: waiting ? [] : room.chain,
    iceServers: waiting ? [] : mgr.deps.iceServers(p.id),
  };
}

/**
 * Join order: meeting exists and runs → not banned → passcode → location and policy →
 * lock → resume or new entry → waiting room or roster. Policy runs before any media exists.
 */
export async function admitParticipant(mgr: RoomManager, channel: ClientChannel, req: JoinRequest): Promise<{ result: JoinResult; participant: Participant }> {
  const { store } = mgr.deps;
  const meeting = await store.get(req.meetingId);
  if (!meeting) throw new AppError('MEETING_NOT_FOUND');
  if (meeting.endedAt !== null) throw new AppError('MEETING_ENDED');

  const resumeHash = req.resumeToken ? sha256(req.resumeToken) : null;
  const candidate = {
    userId: channel.userId,
    deviceId: channel.deviceId,
    resumeTokenHash: resumeHash ?? '',
    identityKey: req.identityKey,
  };
  const subjects = banSubjects(candidate).filter((s) => s !== 'token:');
  if (await store.isBanned(meeting.id, subjects)) throw new AppError('REMOVED_FROM_MEETING');

  const isHost = channel.userId !== null && channel.userId === meeting.hostUserId;
  if (!isHost && !(await store.checkPasscode(meeting.id, req.passcode, channel.address))) throw new AppError('WRONG_PASSCODE');

  const location = mgr.deps.locate(channel.address);
  const participantId = randomBytes(9).toString('base64url');
  const decision = await mgr.deps.policy.evaluate({
    meeting,
    participant: { participantId, userId: channel.userId, displayName: req.displayName, location },
    trigger: 'join',
  });
  if (decision.effect === 'deny') {
    const code = decision.notice.kind === 'legal' ? 'LEGAL_RESTRICTION' : 'LOCATION_RESTRICTED';
    throw new AppError(code, undefined, decision.notice);
  }

  // The first one past the checks starts the meeting, which fixes its e2ee (E2EE_FIXED).
  const room = mgr.openRoom(mgr.room(meeting.id) ? meeting : await store.markStarted(meeting.id));
  const resumed = resumeHash ? [...room.participants.values()].find((p) => p.resumeTokenHash === resumeHash) : undefined;
  if (resumed) return resume(mgr, room, resumed, channel, location, req.resumeToken as string);

  if (meeting.locked && !isHost) throw new AppError('MEETING_LOCKED');

  const resumeToken = randomBytes(24).toString('base64url');
  const p: Participant = {
    id: participantId,
    meetingId: meeting.id,
    displayName: req.displayName,
    // In an event everyone but the host joins receive-only; a host promotes panelists.
    role: isHost ? 'host' : meeting.event ? 'attendee' : 'participant',
    userId: channel.userId,
    deviceId: channel.deviceId,
    identityKey: req.identityKey,
    resumeTokenHash: sha256(resumeToken),
    state: 'waiting',
    channel,
    location,
    // An attendee publishes nothing; everyone else starts as the client will report.
    audio: !(meeting.event && !isHost),
    video: !(meeting.event && !isHost),
    screen: false,
    joinedAt: Date.now(),
    graceTimer: null,
  };
  room.participants.set(p.id, p);
  mgr.byParticipant.set(p.id, room);

  if (meeting.waitingRoom && !isHost) {
    room.sendToHosts({ event: 'waiting.joined', data: toRosterEntry(p) });
    return { result: joinResult(mgr, room, p, resumeToken), participant: p };
  }
  p.state = 'joined';
  room.broadcast({ event: 'participant.joined', data: toRosterEntry(p) }, p.id);
  room.record('join', p);
  const result = joinResult(mgr, room, p, resumeToken);
  mgr.attachMediaSoon(room, p);
  return { result, participant: p };
}

/** Reconnect: the same roster entry takes the new socket; the old one is closed. */
function resume(mgr: RoomManager, room: Room, p: Participant, channel: ClientChannel, location: Participant['location'], token: string) {
  if (p.graceTimer) clearTimeout(p.graceTimer);
  p.graceTimer = null;
  const old = p.channel;
  p.channel = channel;
  mgr.deps.media.removeParticipant(p.id);
  if (old && old !== channel) old.close(4409, 'replaced by a newer connection');
  p.location = location;
  if (p.state === 'disconnected') {
    p.state = 'joined';
    room.broadcast({ event: 'participant.updated', data: toRosterEntry(p) }, p.id);
  }
  if (p.state === 'joined') mgr.attachMediaSoon(room, p);
  return { result: joinResult(mgr, room, p, token), participant: p };
}

/** Host admits someone from the waiting room. */
export function admitFromWaiting(mgr: RoomManager, room: Room, p: Participant): void {
  if (p.state !== 'waiting') throw new AppError('OUT_OF_ORDER', 'That participant is not waiting.');
  mgr.enterRoster(room, p);
  const result: JoinResult = {
    participantId: p.id,
    // The token was given in the join response; it is not repeated (the client keeps it).
    resumeToken: '',
    state: 'joined',
    role: p.role,
    meeting: room.info(),
    roster: room.roster(),
    chain: room.chain,
    iceServers: mgr.deps.iceServers(p.id),
  };
  sendEvent(p, { event: 'you.admitted', data: result });
  mgr.attachMediaSoon(room, p);
}
