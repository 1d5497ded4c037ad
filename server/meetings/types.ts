import type { MeetingRole, RemovalNotice, ServerMessage } from '../../protocol/signaling.js';

/** Where a participant is, with the evidence (shape of geo/'s Location). */
export interface ParticipantLocation {
  country: string | null;
  status: 'known' | 'unknown';
  reason?: string;
  anonymiser?: boolean;
  address: string;
  database: { name: string; buildDate: string };
}

/** The remote end of a media path (media/'s RemotePath). */
export interface MediaPathInfo {
  address: string;
  candidateType: 'host' | 'srflx' | 'prflx' | 'relay' | 'unknown';
}

/** What geo/'s one media-path rule made of a path (docs/geo.md, "Media-path evidence"). */
export type MediaPathJudgement =
  { kind: 'ignored'; reason: string } | { kind: 'agrees'; country: string | null } | { kind: 'disagrees'; country: string | null; current: string | null };

/** The signaling side of one participant: how to reach their browser. */
export interface ClientChannel {
  send(msg: ServerMessage): void;
  /** Send an already-serialised message (broadcasts serialise once for everyone). */
  sendText(text: string): void;
  close(code: number, reason: string): void;
  /** The client's public address as resolved through trusted proxies. */
  readonly address: string;
  /** Stable per-browser id from an HTTP-only cookie (hashed), when the browser has one. */
  readonly deviceId: string | null;
  readonly userId: string | null;
}

/** What the rest of the server may know about a live participant. */
export interface LiveParticipant {
  meetingId: string;
  participantId: string;
  userId: string | null;
  displayName: string;
  role: MeetingRole;
  state: 'waiting' | 'joined' | 'disconnected';
  location: ParticipantLocation;
  joinedAt: number;
}

export interface MeetingRecord {
  id: string;
  hostUserId: string;
  title: string;
  hasPasscode: boolean;
  waitingRoom: boolean;
  e2ee: boolean;
  /** A large event: non-hosts join as attendees (receive only) and hosts promote panelists. */
  event?: boolean;
  locked: boolean;
  scheduledAt: number | null;
  createdAt: number;
  endedAt: number | null;
}

export type AdmissionDecision = { effect: 'allow' } | { effect: 'deny'; rule: string; reason: string; notice: RemovalNotice };

/** Asked before anyone enters a meeting or after their location changes (policy/ implements). */
export interface AdmissionPolicy {
  /**
   * Decide whether this participant may be in this meeting from this location. A deny has
   * already been written to the record by the time it is returned (write-ahead).
   */
  evaluate(input: {
    meeting: MeetingRecord;
    participant: Pick<LiveParticipant, 'participantId' | 'userId' | 'displayName' | 'location'>;
    trigger: 'join' | 'relocate' | 'rule-change';
  }): Promise<AdmissionDecision>;
}

export interface HostNotice {
  kind: 'enforcement';
  count: number;
  jurisdiction: string;
  demandId: number;
  authority?: string;
  at: number;
  /** The log entry that recorded this notice (notice.sent): the host's link to its receipt. */
  entryIndex?: number;
}

export interface SurveyedMeeting {
  meetingId: string;
  /** Everyone in the meeting now (waiting room included). */
  size: number;
  kept: LiveParticipant[];
}

/**
 * The only handle enforcement code gets on live meetings: it can list, remove with a legal
 * notice and tell hosts. There is deliberately no way to end a meeting or touch an account.
 */
export interface EnforcementPort {
  listParticipants(meetingId?: string): LiveParticipant[];
  /**
   * Every live meeting with its participant count, and, as LiveParticipant, only those `keep`
   * accepts: a pass over a large node builds objects only for the few it may act on.
   */
  survey(keep: (meetingId: string, p: Pick<LiveParticipant, 'userId' | 'location'>) => boolean): SurveyedMeeting[];
  removeForPolicy(meetingId: string, participantId: string, notice: RemovalNotice): boolean;
  /**
   * Remove many at once: media is cut and each removed person told first, for all of them,
   * before the roster broadcasts to everyone else. Returns the ids actually removed.
   */
  removeManyForPolicy(removals: readonly { meetingId: string; participantId: string }[], notice: RemovalNotice): string[];
  notifyHosts(meetingId: string, notice: HostNotice): void;
  liveMeetingIds(): string[];
  /** The host account of a live meeting (from the room, no database read), or null. */
  hostOf(meetingId: string): string | null;
}
