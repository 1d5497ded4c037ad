/**
 * The WebSocket signaling protocol, version 1. Every client message is one member of a
 * discriminated union on `type`; requests carry an `id` that the server echoes in its
 * `response`. Server pushes are `event` messages. Documented in docs/protocol.md.
 */
import { z } from 'zod';
import type { ErrorBody } from './errors.js';
import type { RosterBatchItem } from './roster-batch.js';
import type { RosterEvent } from './roster-chain.js';

export const PROTOCOL_VERSION = 1;
/** Largest text frame the server accepts; larger frames close the socket with PAYLOAD_TOO_LARGE. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const MAX_CHAT_CHARS = 4000;
export const MAX_SDP_CHARS = 32 * 1024;
/** Largest opaque end-to-end key blob (base64) the server relays; see docs/security.md. */
export const MAX_E2EE_BLOB_CHARS = 4096;
/**
 * A chat message sealed end to end (E2EE meetings): `v1.<key id>.<iv>.<ciphertext>`, base64url.
 * Room for MAX_CHAT_CHARS of text (≤ 3 UTF-8 bytes each) plus the tag; the server relays it unread.
 */
export const SEALED_CHAT = /^v1\.(\d{1,3})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,16024})$/;
export const MAX_SEALED_CHAT_CHARS = 16_064;

export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code');
export const DisplayName = z.string().trim().min(1).max(64);
export const Layer = z.enum(['q', 'h', 'f']);
export type Layer = z.infer<typeof Layer>;
/** `panelist` and `attendee` exist only in events: panelists publish, attendees only receive (ATTENDEE_CANNOT_PUBLISH). */
export const Role = z.enum(['host', 'cohost', 'participant', 'panelist', 'attendee']);
export type MeetingRole = z.infer<typeof Role>;

/** A chat message as relayed: `text`, or `sealed` (end to end encrypted, opened by the clients). */
export interface ChatMessageData {
  messageId: string;
  from: string;
  displayName: string;
  text?: string;
  sealed?: string;
  at: number;
}

const req = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), id: z.string().min(1).max(64), ...shape }).strict();

export const ClientMessage = z.discriminatedUnion('type', [
  req('hello', {
    v: z.literal(PROTOCOL_VERSION),
    /** `roster.events`: this client takes roster changes batched (protocol/roster-batch.ts). */
    features: z
      .array(z.enum(['roster.events']))
      .max(8)
      .optional(),
  }),
  req('join', {
    meetingId: Id,
    displayName: DisplayName,
    passcode: z.string().max(64).optional(),
    /** Given by a previous join; lets a reconnect take the same roster entry. */
    resumeToken: z.string().max(128).optional(),
    /** Base64 raw public key (ECDSA P-256) of the device's identity key; see e2ee docs. */
    identityKey: z.string().max(256).optional(),
  }),
  req('leave', {}),
  /** Plain `text` in other meetings; in an end-to-end encrypted meeting only `sealed` (CHAT_MUST_BE_SEALED). */
  req('chat.send', {
    text: z.string().trim().min(1).max(MAX_CHAT_CHARS).optional(),
    sealed: z.string().max(MAX_SEALED_CHAT_CHARS).regex(SEALED_CHAT, 'a sealed chat message').optional(),
  }),
  req('media.publish', { sdp: z.string().min(1).max(MAX_SDP_CHARS) }),
  req('media.answer', { sdp: z.string().min(1).max(MAX_SDP_CHARS) }),
  req('media.candidate', {
    pc: z.enum(['pub', 'sub']),
    candidate: z.string().max(1024),
    mid: z.string().max(32),
  }),
  req('media.state', { audio: z.boolean(), video: z.boolean(), screen: z.boolean() }),
  /** Raise or lower one's own hand; shown to everyone in the roster (`hand`). */
  req('hand.raise', { raised: z.boolean() }),
  req('media.layer', { publisherId: Id, layer: Layer }),
  /** The tiles this client shows, most important first (at most 49: a 25-tile page, a filmstrip). The SFU sends video for those and the active speakers. */
  req('media.view', { publisherIds: z.array(Id).max(49) }),
  /**
   * This client takes media: the SFU builds and offers its subscriber connection (until then it
   * offers nothing: signaling-only clients never answer). `publisherIds` counts as a first `media.view`.
   */
  req('media.subscribe', { publisherIds: z.array(Id).max(49).optional() }),
  /** The client's connection for this leg failed: the SFU closes its side and builds a new one (`sub`: a new offer follows). */
  req('media.ice-restart', { pc: z.enum(['pub', 'sub']).optional() }),
  req('host.admit', { participantId: Id }),
  req('host.deny', { participantId: Id }),
  req('host.mute', { participantId: Id }),
  req('host.remove', { participantId: Id }),
  req('host.lock', { locked: z.boolean() }),
  req('host.role', { participantId: Id, role: z.enum(['cohost', 'participant']) }),
  req('host.end', {}),
  /** Events: promote an attendee to panelist (may publish), or demote a panelist back to attendee. */
  req('host.panelist', { participantId: Id, panelist: z.boolean() }),
  /** Ask every publisher but the hosts to mute their mic; `lock` keeps them from unmuting (MICS_LOCKED) until lifted. */
  req('host.mute-all', { lock: z.boolean() }),
  /** Lift (or set) the mic lock without muting anyone. */
  req('host.mics-lock', { locked: z.boolean() }),
  /** Voices forwarded to everyone beside the loudest few (large meetings: the speaker at a memorial); [] clears. */
  req('host.pin-audio', { participantIds: z.array(Id).max(8) }),
  req('ping', {}),
  /** An end-to-end media key, encrypted by the sender to one roster member; relayed unread. */
  req('e2ee.key', {
    to: Id,
    blob: z
      .string()
      .min(1)
      .max(MAX_E2EE_BLOB_CHARS)
      .regex(/^[A-Za-z0-9+/=_-]+$/),
  }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];

/** What every participant sees about every other. There is no hidden field. */
export interface RosterEntry {
  participantId: string;
  displayName: string;
  role: MeetingRole;
  audio: boolean;
  video: boolean;
  screen: boolean;
  /** Present (true) while the participant has a hand raised. */
  hand?: boolean;
  /** When the hand went up (server clock, ms); hosts list hands in this order. */
  handAt?: number;
  /** Present when the participant is in the waiting room (visible to hosts only). */
  waiting?: boolean;
  identityKey?: string;
  joinedAt: number;
}

export interface MeetingInfo {
  meetingId: string;
  title: string;
  locked: boolean;
  waitingRoom: boolean;
  e2ee: boolean;
  /** A large event: hosts and panelists publish, attendees only receive. Absent in ordinary meetings. */
  event?: boolean;
  /** Present (true) while the host keeps non-hosts' mics muted (`host.mute-all` with `lock`). */
  micsLocked?: boolean;
  /** Participants whose voice the host pinned: everyone receives it, not only the loudest few. */
  pinnedAudio?: string[];
}

export interface JoinResult {
  participantId: string;
  resumeToken: string;
  state: 'joined' | 'waiting';
  role: MeetingRole;
  meeting: MeetingInfo;
  roster: RosterEntry[];
  /** The roster's hash chain from the first event (see protocol/roster-chain.ts). */
  chain: RosterEvent[];
  iceServers: { urls: string[]; username?: string; credential?: string }[];
}

/** A notice shown to a participant who was refused or removed. */
export interface RemovalNotice {
  kind: 'host' | 'legal' | 'location' | 'meeting-ended';
  /** Text already chosen by the server's rules (gag or not); the client translates by `kind`. */
  authority?: string;
  jurisdiction?: string;
  country?: string;
  demandId?: number;
  /** The log entry that recorded this refusal or removal: the browser fetches and checks its receipt. */
  entryIndex?: number;
}

export type ServerEvent =
  | { event: 'roster.snapshot'; data: { roster: RosterEntry[]; meeting: MeetingInfo } }
  | { event: 'participant.joined'; data: RosterEntry }
  | { event: 'roster.event'; data: RosterEvent }
  /** To clients that said `features: ['roster.events']` in hello, instead of the four roster events one by one. */
  | { event: 'roster.events'; data: { items: RosterBatchItem[] } }
  | { event: 'media.receivers'; data: { publisherId: string; receivers: string[] } }
  | { event: 'participant.updated'; data: RosterEntry }
  | { event: 'participant.left'; data: { participantId: string; reason: 'left' | 'removed' | 'disconnected' } }
  | { event: 'waiting.joined'; data: RosterEntry }
  | { event: 'waiting.left'; data: { participantId: string } }
  | { event: 'you.admitted'; data: JoinResult }
  | { event: 'you.removed'; data: RemovalNotice }
  | { event: 'you.muted'; data: { by: string } }
  | { event: 'meeting.updated'; data: MeetingInfo }
  | { event: 'meeting.ended'; data: { by: string } }
  | { event: 'chat.message'; data: ChatMessageData }
  | {
      event: 'media.offer';
      /** `generation` changes when the SFU built a new subscriber connection: answer it on a new RTCPeerConnection. */
      data: { sdp: string; streams: Record<string, { participantId: string; kind: 'audio' | 'video' | 'screen' }>; generation: number };
    }
  /** Slots changed hands without a new offer (last-N): whose media each stream now carries. */
  | {
      event: 'media.streams';
      data: { streams: Record<string, { participantId: string; kind: 'audio' | 'video' | 'screen' }>; generation: number };
    }
  /** Dynacast: keep sending only the lowest `keep` simulcast layers of this stream (0 = pause it); nobody watches the rest. */
  | { event: 'media.layers'; data: { kind: 'video' | 'screen'; keep: number } }
  /** The SFU closed one of this participant's media connections (`MEDIA_INPUT_REJECTED`, `MEDIA_CONNECTION_FAILED`). */
  | { event: 'media.closed'; data: { pc: 'pub' | 'sub'; code: 'MEDIA_INPUT_REJECTED' | 'MEDIA_CONNECTION_FAILED' } }
  | { event: 'media.candidate'; data: { pc: 'pub' | 'sub'; candidate: string; mid: string } }
  | { event: 'speaker.active'; data: { participantId: string | null } }
  | { event: 'e2ee.key'; data: { from: string; blob: string } }
  | {
      event: 'host.notice';
      /** `entryIndex`: the log entry that recorded this notice; the host's link to its receipt. */
      data: { kind: 'enforcement'; count: number; jurisdiction: string; demandId: number; authority?: string; entryIndex?: number };
    };

export type ServerMessage =
  | { type: 'response'; id: string; ok: true; result: unknown }
  | { type: 'response'; id: string; ok: false; error: ErrorBody }
  | ({ type: 'event' } & ServerEvent);

export type EventName = ServerEvent['event'];
