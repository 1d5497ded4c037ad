/** What a joined participant can do over signaling, and the host controls. */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../protocol/errors.js';
import type { ChatMessageData, ClientMessage } from '../../protocol/signaling.js';
import { relayE2eeKey } from './e2ee-relay.js';
import { admitFromWaiting, banSubjects } from './join.js';
import { sendEvent, toRosterEntry, type Participant, type Room } from './room.js';
import type { RoomManager } from './rooms.js';

type InMeetingMessage = Exclude<ClientMessage, { type: 'hello' | 'join' | 'ping' }>;

function requireHost(p: Participant): void {
  if (p.role !== 'host' && p.role !== 'cohost') throw new AppError('NOT_HOST');
}

function requireJoined(p: Participant): void {
  if (p.state !== 'joined') throw new AppError('OUT_OF_ORDER', 'Wait until the host admits you.');
}

const isHostRole = (p: Participant): boolean => p.role === 'host' || p.role === 'cohost';

/** An event's attendee only receives: refused here, before the media server is reached. */
function requirePublisher(p: Participant): void {
  if (p.role === 'attendee') throw new AppError('ATTENDEE_CANNOT_PUBLISH');
}

/** Handle one message from a participant who has joined (or waits). Returns the result. */
export async function handleInMeeting(mgr: RoomManager, room: Room, p: Participant, msg: InMeetingMessage): Promise<unknown> {
  const { media } = mgr.deps;
  switch (msg.type) {
    case 'leave':
      mgr.removeParticipant(room, p, 'left');
      return { ok: true };
    case 'chat.send': {
      requireJoined(p);
      // In an end-to-end encrypted meeting the server must never be handed the words: only a
      // sealed envelope is accepted and relayed as it came. Chat is relayed, never stored.
      const e2ee = room.meeting.e2ee;
      if (e2ee ? msg.sealed === undefined || msg.text !== undefined : msg.text === undefined || msg.sealed !== undefined) {
        throw new AppError('CHAT_MUST_BE_SEALED', undefined, { e2ee });
      }
      const data: ChatMessageData = { messageId: randomUUID(), from: p.id, displayName: p.displayName, at: Date.now() };
      if (msg.sealed !== undefined) data.sealed = msg.sealed;
      else data.text = msg.text ?? '';
      room.broadcast({ event: 'chat.message', data });
      return { messageId: data.messageId };
    }
    case 'media.publish':
      requireJoined(p);
      requirePublisher(p);
      return { sdp: await media.publish(p.id, msg.sdp) };
    case 'media.answer':
      requireJoined(p);
      await media.answer(p.id, msg.sdp);
      return { ok: true };
    case 'media.candidate':
      requireJoined(p);
      media.addCandidate(p.id, msg.pc, msg.candidate, msg.mid);
      return { ok: true };
    case 'media.layer':
      requireJoined(p);
      media.setPreferredLayer(p.id, msg.publisherId, msg.layer);
      return { ok: true };
    case 'media.view':
      requireJoined(p);
      media.setView(p.id, msg.publisherIds);
      return { ok: true };
    case 'media.subscribe':
      requireJoined(p);
      // The receiver gate is still asked on every selection; this only says the client takes media.
      media.subscribe(p.id, msg.publisherIds);
      return { ok: true };
    case 'media.ice-restart':
      requireJoined(p);
      // libjuice cannot restart ICE in place: the subscriber leg is rebuilt (a new offer with a
      // new generation follows); the publisher leg is rebuilt by the client's next offer.
      if (msg.pc !== 'pub') media.restartSubscriber(p.id);
      return { ok: true };
    case 'media.state': {
      requireJoined(p);
      if (msg.audio || msg.video || msg.screen) requirePublisher(p);
      if (msg.audio && !p.audio && room.micsLocked && !isHostRole(p)) throw new AppError('MICS_LOCKED');
      p.audio = msg.audio;
      p.video = msg.video;
      p.screen = msg.screen;
      media.setAudioMuted(p.id, !msg.audio);
      room.broadcast({ event: 'participant.updated', data: toRosterEntry(p) });
      return { ok: true };
    }
    case 'hand.raise':
      requireJoined(p);
      if (msg.raised && p.hand !== true) p.handAt = Date.now();
      if (!msg.raised) delete p.handAt;
      p.hand = msg.raised;
      room.broadcast({ event: 'participant.updated', data: toRosterEntry(p) });
      return { ok: true };
    case 'e2ee.key':
      return relayE2eeKey(room, p, msg);
    default:
      return handleHost(mgr, room, p, msg);
  }
}

async function handleHost(mgr: RoomManager, room: Room, p: Participant, msg: InMeetingMessage): Promise<unknown> {
  const { media, store } = mgr.deps;
  requireJoined(p);
  requireHost(p);
  switch (msg.type) {
    case 'host.admit':
      admitFromWaiting(mgr, room, mgr.requireParticipant(room, msg.participantId));
      return { ok: true };
    case 'host.deny': {
      const target = mgr.requireParticipant(room, msg.participantId);
      if (target.state !== 'waiting') throw new AppError('OUT_OF_ORDER', 'That participant is not waiting.');
      mgr.removeParticipant(room, target, 'removed', { kind: 'host' });
      return { ok: true };
    }
    case 'host.mute': {
      const target = mgr.requireParticipant(room, msg.participantId);
      target.audio = false;
      media.setAudioMuted(target.id, true);
      sendEvent(target, { event: 'you.muted', data: { by: p.displayName } });
      room.broadcast({ event: 'participant.updated', data: toRosterEntry(target) });
      return { ok: true };
    }
    case 'host.remove': {
      const target = mgr.requireParticipant(room, msg.participantId);
      if (target.role === 'host') throw new AppError('FORBIDDEN', 'The host cannot be removed.');
      // Ban first, so a reconnect racing the removal cannot slip back in.
      await store.ban(room.id, banSubjects(target), 'host');
      mgr.removeParticipant(room, target, 'removed', { kind: 'host' });
      return { ok: true };
    }
    case 'host.lock':
      await store.setLocked(room.id, msg.locked);
      room.meeting = { ...room.meeting, locked: msg.locked };
      room.broadcast({ event: 'meeting.updated', data: room.info() });
      room.record(msg.locked ? 'lock' : 'unlock');
      return { ok: true };
    case 'host.role': {
      if (p.role !== 'host') throw new AppError('NOT_HOST', 'Only the host can change roles.');
      const target = mgr.requireParticipant(room, msg.participantId);
      if (target.role === 'host') throw new AppError('FORBIDDEN', "The host's role cannot be changed.");
      // In an event there are no plain participants: a co-host stepping down stays a panelist.
      target.role = msg.role === 'participant' && room.meeting.event === true ? 'panelist' : msg.role;
      room.broadcast({ event: 'participant.updated', data: toRosterEntry(target) });
      room.record('role', target);
      return { ok: true };
    }
    case 'host.end':
      if (p.role !== 'host') throw new AppError('NOT_HOST', 'Only the host can end the meeting for all.');
      await store.end(room.id);
      mgr.endRoom(room.id, p.displayName);
      return { ok: true };
    case 'host.panelist':
      return setPanelist(mgr, room, msg.participantId, msg.panelist);
    case 'host.mute-all':
      muteAll(mgr, room, p, msg.lock);
      return { ok: true };
    case 'host.mics-lock':
      setMicsLocked(room, msg.locked);
      return { ok: true };
    case 'host.pin-audio': {
      // Only people in the roster; everyone sees whose voice is pinned (meeting.updated).
      const ids = [...new Set(msg.participantIds)];
      for (const id of ids) if (mgr.requireParticipant(room, id).state === 'waiting') throw new AppError('PARTICIPANT_NOT_FOUND');
      room.pinnedAudio = ids;
      media.setPinnedAudio(room.id, ids);
      room.broadcast({ event: 'meeting.updated', data: room.info() });
      return { ok: true };
    }
    default:
      throw new AppError('BAD_REQUEST', `Unhandled message ${msg.type}`);
  }
}

/**
 * Promote an event's attendee to panelist (they may publish) or demote a panelist back. The
 * role change is on the roster chain (a `role` event) before it takes effect; a demoted
 * panelist's audio is cut at the SFU and any further publish is refused.
 */
function setPanelist(mgr: RoomManager, room: Room, participantId: string, panelist: boolean): { ok: true } {
  if (!room.meeting.event) throw new AppError('NOT_AN_EVENT');
  const target = mgr.requireParticipant(room, participantId);
  if (target.state === 'waiting') throw new AppError('OUT_OF_ORDER', 'Admit them first.');
  if (target.role !== (panelist ? 'attendee' : 'panelist')) throw new AppError('OUT_OF_ORDER', panelist ? 'Not an attendee.' : 'Not a panelist.');
  target.role = panelist ? 'panelist' : 'attendee';
  if (panelist) {
    target.hand = false;
    delete target.handAt;
  } else {
    target.audio = false;
    target.video = false;
    target.screen = false;
    mgr.deps.media.setAudioMuted(target.id, true);
  }
  room.record('role', target);
  // Their camera and screen stop too: nothing they already send reaches anyone.
  if (!panelist) mgr.deps.media.stopPublishing(target.id);
  room.broadcast({ event: 'participant.updated', data: toRosterEntry(target) });
  return { ok: true };
}

/** Ask every publisher but the hosts to mute; with `lock`, they cannot unmute until it is lifted. */
function muteAll(mgr: RoomManager, room: Room, by: Participant, lock: boolean): void {
  room.record('mute-all');
  if (lock) setMicsLocked(room, true);
  for (const t of room.participants.values()) {
    if (t.state !== 'joined' || isHostRole(t) || !t.audio) continue;
    t.audio = false;
    mgr.deps.media.setAudioMuted(t.id, true);
    sendEvent(t, { event: 'you.muted', data: { by: by.displayName } });
    room.broadcast({ event: 'participant.updated', data: toRosterEntry(t) });
  }
}

function setMicsLocked(room: Room, locked: boolean): void {
  if (room.micsLocked === locked) return;
  room.record(locked ? 'mics-lock' : 'mics-unlock');
  room.micsLocked = locked;
  room.broadcast({ event: 'meeting.updated', data: room.info() });
}
