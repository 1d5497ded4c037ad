/**
 * The one public face of the media plane. `meetings/` is the only caller; `media/` knows
 * nothing of policy, accounts or the roster's meaning. It forwards only between the
 * participants it was told about, and asks the receiver gate before adding any subscriber.
 */
import type { Layer } from '../../protocol/signaling.js';
import type { MediaLogger } from './guard.js';

/** Messages the media plane wants delivered to one participant's browser over signaling. */
export type MediaSignal =
  | {
      event: 'media.offer';
      data: {
        sdp: string;
        /** Media line (mid) → whose media it is and what kind, so the client can label tiles. */
        streams: Record<string, { participantId: string; kind: 'audio' | 'video' | 'screen' }>;
        /** Which subscriber connection this offer is for; a new number means a new connection. */
        generation: number;
      };
    }
  | { event: 'media.candidate'; data: { pc: 'pub' | 'sub'; candidate: string; mid: string } }
  /** Slots changed hands without new media lines (last-N): whose media each stream now carries. */
  | {
      event: 'media.streams';
      data: { streams: Record<string, { participantId: string; kind: 'audio' | 'video' | 'screen' }>; generation: number };
    }
  /**
   * Dynacast: keep sending only the lowest `keep` simulcast layers of this stream (0 = pause it;
   * a single-encoding stream is on when keep > 0). Nobody is watching the rest.
   */
  | { event: 'media.layers'; data: { kind: 'video' | 'screen'; keep: number } }
  /** The server closed one leg: the client builds it again (`pub`) or waits for a new offer (`sub`). */
  | { event: 'media.closed'; data: { pc: 'pub' | 'sub'; code: 'MEDIA_INPUT_REJECTED' | 'MEDIA_CONNECTION_FAILED' } };

/** Where a media path ends on the participant's side, as ICE selected it. */
export interface RemotePath {
  address: string;
  /** The remote candidate's type: a `relay` address is a TURN server's, not the participant's. */
  candidateType: 'host' | 'srflx' | 'prflx' | 'relay' | 'unknown';
}

export interface MediaParticipantHooks {
  /** Deliver a signaling message to this participant. */
  signal(msg: MediaSignal): void;
  /** The remote end of a media path changed (ICE selected a new pair, a rebuilt leg). */
  onRemotePath?(path: RemotePath): void;
  /** Voice-activity level updates used for active speaker (0..127 dBov, lower is louder). */
  onAudioLevel?(level: number): void;
}

/**
 * Decides whether a participant may receive a meeting's media. Implemented by meetings/
 * (roster membership); media/ calls it before creating any subscriber path.
 */
export type ReceiverGate = (meetingId: string, participantId: string) => boolean;

export interface MediaStats {
  meetings: number;
  participants: number;
  forwardedPackets: number;
  publishers: number;
  /** Subscriber legs with a connection: only participants whose client asked for media (`subscribe`). */
  subscriberLegs: number;
  /** RTP/RTCP from participants dropped as malformed, since start. */
  malformedPackets: number;
  /** Legs closed because a native callback threw (contained), and legs rebuilt, since start. */
  faults: number;
  rebuilds: number;
  /** Dynacast messages that paused layers nobody watched, since start. */
  layerPauses: number;
  /** Retransmissions the SFU asked publishers for (NACK), and those that arrived. */
  nackAsked: number;
  nackRecovered: number;
}

export interface MediaServer {
  /** Register a participant who has a roster entry. Throws NOT_IN_ROSTER if the gate says no. */
  addParticipant(meetingId: string, participantId: string, hooks: MediaParticipantHooks): void;
  /** Browser's publish offer (sendonly audio/video[/screen], rid simulcast) → SDP answer. */
  publish(participantId: string, offerSdp: string): Promise<string>;
  /** Browser's answer to a `media.offer` the server sent for its subscriber connection. */
  answer(participantId: string, answerSdp: string): Promise<void>;
  /** Trickled remote ICE candidate. */
  addCandidate(participantId: string, pc: 'pub' | 'sub', candidate: string, mid: string): void;
  /**
   * The client asked for media (`media.subscribe`; `view` counts as a `setView`). Until then the
   * participant is chosen nothing: no subscriber leg, no offer, no rebuild. Throws NOT_IN_ROSTER
   * for an unknown participant; the receiver gate is still asked on every selection after.
   */
  subscribe(participantId: string, view?: string[]): void;
  /** The tiles this participant's client shows, most important first (last-N forwards those). */
  setView(subscriberId: string, publisherIds: string[]): void;
  /** Preferred simulcast layer of one publisher's video for this subscriber (tile size). */
  setPreferredLayer(subscriberId: string, publisherId: string, layer: Layer): void;
  /** Audio the host pinned for the whole meeting: forwarded to everyone beside the loudest N (issue 15). */
  setPinnedAudio(meetingId: string, publisherIds: string[]): void;
  /**
   * Close this participant's publisher leg and stop forwarding everything it sent (a demoted
   * panelist); a later publish builds a new leg, if the caller lets it through.
   */
  stopPublishing(participantId: string): void;
  /** Stop forwarding this participant's audio (host mute); the client is told separately. */
  setAudioMuted(participantId: string, muted: boolean): void;
  /**
   * Stop forwarding to and from this participant in the same tick and close their
   * transports. Safe to call twice or for an unknown id.
   */
  removeParticipant(participantId: string): void;
  /** Participants currently forwarded this publisher's media (read-only; docs/security.md). */
  receiversOf?(publisherId: string): string[];
  /** Remote ends currently seen on this participant's media paths. */
  remotePaths(participantId: string): RemotePath[];
  /** Close and rebuild this participant's subscriber leg (client asked: its connection failed); nothing before `subscribe`. */
  restartSubscriber(participantId: string): void;
  stats(): MediaStats;
  close(): void;
}

export interface MediaConfig {
  /** pino (or console) for the media plane's warnings. */
  logger?: MediaLogger | undefined;
  announcedIp?: string | undefined;
  portRangeBegin?: number | undefined;
  portRangeEnd?: number | undefined;
  udpMuxPort?: number | undefined;
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  receiverGate: ReceiverGate;
  /** Pause simulcast layers nobody watches (default on; off measures a publisher's full uplink). */
  dynacast?: boolean | undefined;
}

/** Extra operations beyond the contract, for operators and tests. */
export interface MediaServerInternals extends MediaServer {
  receiversOf(publisherId: string): string[];
  /** Ceiling on one subscriber's downlink estimate (bps); null removes it. */
  setDownlinkCap(participantId: string, bps: number | null): void;
  /** Whether this participant's audio said they were speaking in the last-N window. */
  speakingRecently(participantId: string): boolean;
  /** Per-subscriber slot state, for diagnostics. */
  slotInfo(participantId: string): SlotInfo[];
}

/** Diagnostics for one subscriber media line. */
export interface SlotInfo {
  mid: string;
  /** msid stream: a person's audio and video lines share one (lip sync). */
  streamId: string;
  /** Sender reports passed on to the subscriber on this line. */
  senderReports: number;
  publisherId: string | null;
  /** Layer chosen and layer being forwarded (0 = q, 1 = h, 2 = f; -1 none). */
  target: number;
  current: number;
  /** Subscriber's downlink budget in bps (REMB, capped). */
  budget: number;
  /** Measured bitrate per layer of the source (bps). */
  rates: number[];
}
