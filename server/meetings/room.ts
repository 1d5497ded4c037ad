/** One live meeting: who is in it, who waits, and how to reach them. No I/O besides sends. */
import { createHash } from 'node:crypto';
import { canonicalRosterEvent, GENESIS, type RosterEvent, type RosterEventBody, type RosterEventKind } from '../../protocol/roster-chain.js';
import { isRosterStreamEvent } from '../../protocol/roster-batch.js';
import type { MeetingInfo, MeetingRole, RosterEntry, ServerEvent } from '../../protocol/signaling.js';
import { flushRosterBatchesFor, RosterBatcher, takesRosterBatches } from './roster-batch.js';
import type { ClientChannel, HostNotice, LiveParticipant, MediaPathInfo, MediaPathJudgement, MeetingRecord, ParticipantLocation } from './types.js';

export interface Participant {
  id: string;
  meetingId: string;
  displayName: string;
  role: MeetingRole;
  userId: string | null;
  deviceId: string | null;
  identityKey: string | undefined;
  /** SHA-256 of the resume token, which the client holds. */
  resumeTokenHash: string;
  state: 'waiting' | 'joined' | 'disconnected';
  channel: ClientChannel | null;
  location: ParticipantLocation;
  /** The last media path seen and what the one rule made of it (never moves `location`). */
  mediaPath?: MediaPathInfo & { verdict: MediaPathJudgement };
  audio: boolean;
  video: boolean;
  screen: boolean;
  /** Hand raised (roster `hand`); absent until first raised. */
  hand?: boolean;
  /** When the hand went up (roster `handAt`), for the hosts' "hands raised" list. */
  handAt?: number;
  joinedAt: number;
  /** Timer that drops a disconnected entry after the reconnect grace period. */
  graceTimer: NodeJS.Timeout | null;
}

export class Room {
  readonly participants = new Map<string, Participant>();
  readonly notices: HostNotice[] = [];
  meeting: MeetingRecord;
  activeSpeaker: string | null = null;
  /** Host muted everyone and keeps non-hosts from unmuting (`host.mute-all` with `lock`). */
  micsLocked = false;
  /** Voices the host pinned for everyone (host.pin-audio). */
  pinnedAudio: string[] = [];
  /** The roster's hash chain: every join, leave, removal, role change and lock, in order. */
  readonly chain: RosterEvent[] = [];
  /** Roster changes queued for the clients that take them batched (`roster.events`). */
  readonly rosterBatch = new RosterBatcher(this, (text) => {
    for (const p of this.participants.values()) if (p.state === 'joined' && takesRosterBatches(p.channel)) p.channel?.sendText(text);
  });

  constructor(meeting: MeetingRecord) {
    this.meeting = meeting;
  }

  get id(): string {
    return this.meeting.id;
  }

  info(): MeetingInfo {
    return {
      meetingId: this.meeting.id,
      title: this.meeting.title,
      locked: this.meeting.locked,
      waitingRoom: this.meeting.waitingRoom,
      e2ee: this.meeting.e2ee,
      ...(this.meeting.event ? { event: true } : {}),
      ...(this.micsLocked ? { micsLocked: true } : {}),
      ...(this.pinnedAudio.length > 0 ? { pinnedAudio: [...this.pinnedAudio] } : {}),
    };
  }

  /** Everyone in the roster (joined or briefly reconnecting). The waiting room is separate. */
  roster(): RosterEntry[] {
    return [...this.participants.values()].filter((p) => p.state !== 'waiting').map(toRosterEntry);
  }

  waiting(): RosterEntry[] {
    return [...this.participants.values()].filter((p) => p.state === 'waiting').map(toRosterEntry);
  }

  /** In the roster every participant sees: the one test for who may receive media or chat. */
  isInRoster(participantId: string): boolean {
    const p = this.participants.get(participantId);
    return p !== undefined && p.state === 'joined';
  }

  hosts(): Participant[] {
    return [...this.participants.values()].filter((p) => p.state === 'joined' && (p.role === 'host' || p.role === 'cohost'));
  }

  joinedCount(): number {
    let n = 0;
    for (const p of this.participants.values()) if (p.state !== 'waiting') n++;
    return n;
  }

  /**
   * Send an event to everyone in the roster (optionally except one), serialised once. A roster
   * change goes to batching clients in the next `roster.events` frame (to all of them: the one
   * excepted skips what its join result already holds); anything else first sends the queued
   * batch, so no client sees an event before the roster changes that came ahead of it.
   */
  broadcast(event: ServerEvent, exceptId?: string): void {
    const batched = isRosterStreamEvent(event);
    if (!batched) this.rosterBatch.flush();
    let text: string | null = null;
    let batching = false;
    for (const p of this.participants.values()) {
      if (p.state !== 'joined' || !p.channel) continue;
      if (batched && takesRosterBatches(p.channel)) batching = true;
      else if (p.id !== exceptId) p.channel.sendText((text ??= JSON.stringify({ type: 'event', ...event })));
    }
    // Nothing is queued for a meeting where no client takes batches (its joiners get the chain in their join result).
    if (batching && isRosterStreamEvent(event)) this.rosterBatch.push(event);
  }

  sendToHosts(event: ServerEvent): void {
    this.rosterBatch.flush();
    const text = JSON.stringify({ type: 'event', ...event });
    for (const p of this.hosts()) p.channel?.sendText(text);
  }

  /**
   * Append a roster event and send it to everyone in the roster. Called before media is
   * attached for a join, so no one receives media before the chain shows them.
   */
  record(kind: RosterEventKind, p?: Participant): RosterEvent {
    const last = this.chain.at(-1);
    const body: RosterEventBody = { v: 1, seq: this.chain.length, prev: last?.hash ?? GENESIS, kind, meetingId: this.id, at: Date.now() };
    if (p) {
      body.participantId = p.id;
      body.displayName = p.displayName;
      body.role = p.role;
      if (p.identityKey !== undefined) body.identityKey = p.identityKey;
      if (p.userId !== null) body.account = accountTag(p.userId);
    }
    const event: RosterEvent = { ...body, hash: createHash('sha256').update(canonicalRosterEvent(body)).digest('hex') };
    this.chain.push(event);
    this.broadcast({ event: 'roster.event', data: event });
    return event;
  }

  live(p: Participant): LiveParticipant {
    return {
      meetingId: this.id,
      participantId: p.id,
      userId: p.userId,
      displayName: p.displayName,
      role: p.role,
      state: p.state,
      location: p.location,
      joinedAt: p.joinedAt,
    };
  }
}

/**
 * The roster chain's `account` tag: the same for one account in every meeting, so a browser
 * can tell when that account's identity key changes (trust on first use, web/src/security/
 * key-pins.ts). A hash, so the account id itself is not handed to other participants.
 */
export function accountTag(userId: string): string {
  return createHash('sha256').update(`parley-account-v1|${userId}`).digest('base64url');
}

export function toRosterEntry(p: Participant): RosterEntry {
  const e: RosterEntry = {
    participantId: p.id,
    displayName: p.displayName,
    role: p.role,
    audio: p.audio,
    video: p.video,
    screen: p.screen,
    joinedAt: p.joinedAt,
  };
  if (p.hand === true) {
    e.hand = true;
    if (p.handAt !== undefined) e.handAt = p.handAt;
  }
  if (p.state === 'waiting') e.waiting = true;
  if (p.identityKey !== undefined) e.identityKey = p.identityKey;
  return e;
}

/** Send one participant an event, after any roster batch of their meeting still queued. */
export function sendEvent(p: Participant, event: ServerEvent): void {
  flushRosterBatchesFor((b) => b.owner instanceof Room && b.owner.participants.get(p.id) === p);
  p.channel?.send({ type: 'event', ...event });
}
