/** Live meetings: the registry, removal, media glue and the enforcement port. */
import type { IceServer } from './turn.js';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../protocol/errors.js';
import type { RemovalNotice } from '../../protocol/signaling.js';
import type { MediaServer } from '../media/index.js';
import type { MeetingStore } from './meeting-store.js';
import { Room, sendEvent, toRosterEntry, type Participant } from './room.js';
import type {
  AdmissionPolicy,
  EnforcementPort,
  HostNotice,
  LiveParticipant,
  MediaPathInfo,
  MediaPathJudgement,
  MeetingRecord,
  ParticipantLocation,
  SurveyedMeeting,
} from './types.js';

export const RECONNECT_GRACE_MS = 20_000;
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface RoomsDeps {
  store: MeetingStore;
  media: MediaServer;
  policy: AdmissionPolicy;
  locate: (address: string) => ParticipantLocation;
  /** geo/'s one rule for media-path evidence; it never moves anyone (docs/geo.md). */
  judgeMediaPath: (path: MediaPathInfo, current: ParticipantLocation) => MediaPathJudgement;
  logger: Logger;
  /** The ICE servers handed to one joiner, with their own time-limited TURN credentials (turn.ts). */
  iceServers: (participantId: string) => IceServer[];
  graceMs?: number;
}

export class RoomManager implements EnforcementPort {
  readonly rooms = new Map<string, Room>();
  readonly deps: RoomsDeps;
  /** participantId → room, for media callbacks and lookups. */
  readonly byParticipant = new Map<string, Room>();

  constructor(deps: RoomsDeps) {
    this.deps = deps;
  }

  get graceMs(): number {
    return this.deps.graceMs ?? RECONNECT_GRACE_MS;
  }

  room(meetingId: string): Room | undefined {
    return this.rooms.get(meetingId);
  }

  openRoom(meeting: MeetingRecord): Room {
    let room = this.rooms.get(meeting.id);
    if (!room) {
      room = new Room(meeting);
      this.rooms.set(meeting.id, room);
    } else {
      room.meeting = meeting;
    }
    return room;
  }

  /** The one receiver gate: media flows only to participants in the roster everyone sees. */
  mayReceive = (meetingId: string, participantId: string): boolean => this.rooms.get(meetingId)?.isInRoster(participantId) ?? false;

  findParticipant(participantId: string): { room: Room; p: Participant } | null {
    const room = this.byParticipant.get(participantId);
    const p = room?.participants.get(participantId);
    return room && p ? { room, p } : null;
  }

  /** Put an admitted participant into the roster and connect their media. */
  enterRoster(room: Room, p: Participant): void {
    p.state = 'joined';
    room.broadcast({ event: 'participant.joined', data: toRosterEntry(p) }, p.id);
    room.sendToHosts({ event: 'waiting.left', data: { participantId: p.id } });
    room.record('join', p);
  }

  /**
   * Connect media on the next turn, so the response or event that puts the participant in the
   * meeting reaches their browser before the first media offer does. Skipped if they left,
   * were removed or reconnected in between.
   */
  attachMediaSoon(room: Room, p: Participant): void {
    const channel = p.channel;
    // Media signals to other members go through sendEvent, which sends any queued roster batch
    // first: nobody is offered this participant's media before the chain event of their join.
    setImmediate(() => {
      if (room.participants.get(p.id) === p && p.state === 'joined' && p.channel === channel && channel) this.attachMedia(room, p);
    });
  }

  attachMedia(room: Room, p: Participant): void {
    this.deps.media.addParticipant(room.id, p.id, {
      signal: (msg) => sendEvent(p, msg),
      onRemotePath: (path) => this.mediaPathChanged(p.id, path),
      onAudioLevel: (level) => this.onAudioLevel(room, p, level),
    });
  }

  #levels = new Map<string, { level: number; at: number }>();
  onAudioLevel(room: Room, p: Participant, level: number): void {
    const now = Date.now();
    this.#levels.set(p.id, { level, at: now });
    if (!p.audio || level > 50) return;
    const current = room.activeSpeaker ? this.#levels.get(room.activeSpeaker) : undefined;
    const currentActive = current && now - current.at < 1000 && current.level <= 50;
    if (room.activeSpeaker !== p.id && (!currentActive || level + 5 < (current?.level ?? 127))) {
      room.activeSpeaker = p.id;
      room.broadcast({ event: 'speaker.active', data: { participantId: p.id } });
    }
  }

  /**
   * Take a participant out of the meeting: media is cut first (same tick), then the roster
   * changes and everyone is told. `notice` goes to the removed person.
   */
  removeParticipant(room: Room, p: Participant, reason: 'left' | 'removed' | 'disconnected', notice?: RemovalNotice, closeCode = 4403): void {
    const wasWaiting = this.detach(room, p, reason, notice, closeCode);
    this.announceDeparture(room, p, reason, wasWaiting);
  }

  /**
   * First half of a removal: media cut, out of the room (no broadcast reaches them, nothing
   * they send is acted on), their notice queued, the socket closed on a later turn. Returns
   * whether they were in the waiting room.
   */
  private detach(room: Room, p: Participant, reason: 'left' | 'removed' | 'disconnected', notice: RemovalNotice | undefined, closeCode: number): boolean {
    this.deps.media.removeParticipant(p.id);
    if (p.graceTimer) clearTimeout(p.graceTimer);
    const wasWaiting = p.state === 'waiting';
    room.participants.delete(p.id);
    this.byParticipant.delete(p.id);
    this.#levels.delete(p.id);
    if (notice) sendEvent(p, { event: 'you.removed', data: notice });
    const channel = p.channel;
    p.channel = null;
    // Media is already cut; the socket closes on the next turn so a response to the request
    // that caused this (leave, end) still reaches the client first.
    if (channel && reason !== 'disconnected') setImmediate(() => channel.close(reason === 'left' ? 1000 : closeCode, reason));
    return wasWaiting;
  }

  /** Second half: the roster event and everyone else told. */
  private announceDeparture(room: Room, p: Participant, reason: 'left' | 'removed' | 'disconnected', wasWaiting: boolean): void {
    if (wasWaiting) room.sendToHosts({ event: 'waiting.left', data: { participantId: p.id } });
    else {
      room.broadcast({ event: 'participant.left', data: { participantId: p.id, reason } });
      room.record(reason === 'removed' ? 'removal' : 'leave', p);
    }
    if (room.activeSpeaker === p.id) {
      room.activeSpeaker = null;
      room.broadcast({ event: 'speaker.active', data: { participantId: null } });
    }
    if (room.participants.size === 0 && this.rooms.get(room.id) === room) this.rooms.delete(room.id);
  }

  /** The signaling socket dropped: keep the roster entry briefly so a reconnect resumes it. */
  disconnected(participantId: string, channel: unknown): void {
    const found = this.findParticipant(participantId);
    if (!found || found.p.channel !== channel) return;
    const { room, p } = found;
    this.deps.media.removeParticipant(p.id);
    p.channel = null;
    if (p.state === 'waiting') {
      this.removeParticipant(room, p, 'disconnected');
      return;
    }
    p.state = 'disconnected';
    room.broadcast({ event: 'participant.updated', data: toRosterEntry(p) });
    p.graceTimer = setTimeout(() => {
      const still = room.participants.get(p.id);
      if (still && still.state === 'disconnected') this.removeParticipant(room, still, 'disconnected');
    }, this.graceMs);
    p.graceTimer.unref();
  }

  /**
   * A media path's remote end changed. It is judged by geo/'s one rule and never moves anyone:
   * a relay, an ICE server, a private address is no evidence; a public address in another
   * country is noted (p.mediaPath, the log) and left there. The location comes from the
   * signaling path. See docs/geo.md, "Media-path evidence".
   */
  mediaPathChanged(participantId: string, path: MediaPathInfo): MediaPathJudgement | null {
    const found = this.findParticipant(participantId);
    if (!found) return null;
    const verdict = this.deps.judgeMediaPath(path, found.p.location);
    found.p.mediaPath = { ...path, verdict };
    if (verdict.kind === 'disagrees')
      this.deps.logger.info(
        { participantId, candidateType: path.candidateType, media: verdict.country, location: verdict.current },
        'media path disagrees with location; not moved',
      );
    return verdict;
  }

  /** Locate a participant again from their signaling address (a database reload) and re-run policy. */
  async relocate(participantId: string, address: string): Promise<void> {
    const found = this.findParticipant(participantId);
    if (!found) return;
    const { room, p } = found;
    const location = this.deps.locate(address);
    if (location.address === p.location.address && location.country === p.location.country) return;
    p.location = location;
    await this.recheck(room, p, 'relocate');
  }

  /** Re-run admission for one participant; removes them if it now denies. */
  async recheck(room: Room, p: Participant, trigger: 'relocate' | 'rule-change'): Promise<boolean> {
    const decision = await this.deps.policy.evaluate({
      meeting: room.meeting,
      participant: { participantId: p.id, userId: p.userId, displayName: p.displayName, location: p.location },
      trigger,
    });
    if (decision.effect === 'allow') return true;
    if (room.participants.get(p.id) === p) this.removeParticipant(room, p, 'removed', decision.notice, 4451);
    return false;
  }

  /** Re-run admission for every live participant (restriction change, database reload). */
  async recheckAll(meetingId?: string): Promise<number> {
    let removed = 0;
    const rooms = meetingId ? [this.rooms.get(meetingId)].filter((r): r is Room => !!r) : [...this.rooms.values()];
    for (const room of rooms) {
      for (const p of [...room.participants.values()]) {
        if (!(await this.recheck(room, p, 'rule-change'))) removed++;
      }
    }
    return removed;
  }

  /** Re-locate everyone (after a geo database reload), re-running policy where it changed. */
  async relocateAll(): Promise<void> {
    for (const room of this.rooms.values()) {
      for (const p of [...room.participants.values()]) await this.relocate(p.id, p.location.address);
    }
  }

  // ---- EnforcementPort: the only surface policy/ gets ----

  listParticipants(meetingId?: string): LiveParticipant[] {
    const rooms = meetingId ? [this.rooms.get(meetingId)].filter((r): r is Room => !!r) : [...this.rooms.values()];
    return rooms.flatMap((room) => [...room.participants.values()].map((p) => room.live(p)));
  }

  survey(keep: (meetingId: string, p: Pick<LiveParticipant, 'userId' | 'location'>) => boolean): SurveyedMeeting[] {
    const out: SurveyedMeeting[] = [];
    for (const room of this.rooms.values()) {
      const kept: LiveParticipant[] = [];
      for (const p of room.participants.values()) if (keep(room.id, p)) kept.push(room.live(p));
      out.push({ meetingId: room.id, size: room.participants.size, kept });
    }
    return out;
  }

  removeForPolicy(meetingId: string, participantId: string, notice: RemovalNotice): boolean {
    const room = this.rooms.get(meetingId);
    const p = room?.participants.get(participantId);
    if (!room || !p) return false;
    this.removeParticipant(room, p, 'removed', notice, 4451);
    return true;
  }

  /**
   * Remove many at once (an approved demand). Everyone's media is cut and their notice queued
   * first; the roster events for the others follow on the next tick, after the corked notices
   * have been flushed to the sockets, so the people removed hear it before anyone else is told.
   */
  removeManyForPolicy(removals: readonly { meetingId: string; participantId: string }[], notice: RemovalNotice): string[] {
    const found: [Room, Participant, boolean][] = [];
    for (const r of removals) {
      const room = this.rooms.get(r.meetingId);
      const p = room?.participants.get(r.participantId);
      if (!room || !p) continue;
      found.push([room, p, this.detach(room, p, 'removed', notice, 4451)]);
    }
    // Signaling uncorks each socket on a nextTick queued by its first write above; this one runs after them.
    if (found.length > 0)
      process.nextTick(() => {
        for (const [room, p, wasWaiting] of found) this.announceDeparture(room, p, 'removed', wasWaiting);
      });
    return found.map(([, p]) => p.id);
  }

  notifyHosts(meetingId: string, notice: HostNotice): void {
    const room = this.rooms.get(meetingId);
    if (!room) return;
    room.notices.push(notice);
    if (room.notices.length > 100) room.notices.shift();
    const data: { kind: 'enforcement'; count: number; jurisdiction: string; demandId: number; authority?: string; entryIndex?: number } = {
      kind: notice.kind,
      count: notice.count,
      jurisdiction: notice.jurisdiction,
      demandId: notice.demandId,
    };
    if (notice.authority !== undefined) data.authority = notice.authority;
    if (notice.entryIndex !== undefined) data.entryIndex = notice.entryIndex;
    room.sendToHosts({ event: 'host.notice', data });
  }

  hostOf(meetingId: string): string | null {
    return this.rooms.get(meetingId)?.meeting.hostUserId ?? null;
  }

  liveMeetingIds(): string[] {
    return [...this.rooms.keys()];
  }

  /** Host ended the meeting: everyone is told, media closes. Only reachable from host actions. */
  endRoom(meetingId: string, by: string): void {
    const room = this.rooms.get(meetingId);
    if (!room) return;
    room.broadcast({ event: 'meeting.ended', data: { by } });
    for (const p of [...room.participants.values()]) {
      this.removeParticipant(room, p, 'removed', { kind: 'meeting-ended' }, 4410);
    }
    this.rooms.delete(meetingId);
  }

  requireParticipant(room: Room, participantId: string): Participant {
    const p = room.participants.get(participantId);
    if (!p) throw new AppError('PARTICIPANT_NOT_FOUND');
    return p;
  }

  stats(): { meetings: number; participants: number } {
    let participants = 0;
    for (const r of this.rooms.values()) participants += r.participants.size;
    return { meetings: this.rooms.size, participants };
  }
}
