/**
 * Which of a meeting's streams one subscriber is sent (issue 15): each browser receives what it
 * shows, not every camera in the meeting. Pure: the SFU calls it with what it knows and applies
 * the result to the subscriber's slots (reused, so a page or speaker change needs no
 * renegotiation unless the slot count must grow).
 */

/** Video tiles one subscriber can be sent at once (a 25-tile page plus the speakers). */
export const MAX_VIDEO_FORWARDED = 25;
/** Loudest speakers whose audio is forwarded (plus the host's pins). */
export const AUDIO_TOP_N = 3;
/** A speaker counts as active for this long after their last loud packet. */
export const SPEAKER_ACTIVE_MS = 10_000;
const MAX_SCREENS = 2;
/** Up to this many voices in a meeting, every one is forwarded (no first syllable lost to a slot switch). */
export const ALL_AUDIO_UP_TO = 10;

/** One publisher in the meeting, as the SFU sees them. */
export interface Candidate {
  publisherId: string;
  hasVideo: boolean;
  hasScreen: boolean;
  hasAudio: boolean;
  /** Join order in the meeting (lower = earlier). */
  order: number;
  /** Last time their audio level said they were speaking (0 = never). */
  loudAt: number;
}

export interface ForwardChoice {
  video: Set<string>;
  screen: Set<string>;
  audio: Set<string>;
}

/** A meeting's publishers, sorted once per reselect round and shared by every subscriber's choice. */
export interface MeetingCandidates {
  byId: ReadonlyMap<string, Candidate>;
  /** Have spoken, most recent first (never-spoken excluded). */
  speakers: readonly Candidate[];
  /** Join order. */
  byOrder: readonly Candidate[];
  voices: readonly Candidate[];
  screens: readonly Candidate[];
  cameras: readonly Candidate[];
}

/** Most recent speakers first; never-spoken last, in join order. */
function bySpeaking(a: Candidate, b: Candidate): number {
  return b.loudAt - a.loudAt || a.order - b.order;
}

/** O(N log N) once per meeting, so that each subscriber's choice costs O(its page), not O(N). */
export function prepareCandidates(candidates: readonly Candidate[]): MeetingCandidates {
  const byOrder = [...candidates].sort((a, b) => a.order - b.order);
  return {
    byId: new Map(candidates.map((c) => [c.publisherId, c])),
    speakers: candidates.filter((c) => c.loudAt > 0).sort(bySpeaking),
    byOrder,
    voices: byOrder.filter((c) => c.hasAudio),
    screens: byOrder.filter((c) => c.hasScreen),
    cameras: byOrder.filter((c) => c.hasVideo),
  };
}

export interface ChooseFor {
  /** The subscriber (never sent its own media). */
  self?: string;
  /** Publisher ids whose tiles the client shows, most important first; null = not said yet. */
  view: readonly string[] | null;
  /** Publisher ids whose audio the host pinned for everyone. */
  pinnedAudio: ReadonlySet<string>;
  now: number;
  maxVideo?: number;
  audioN?: number;
}

export interface ChooseInput extends ChooseFor {
  candidates: readonly Candidate[];
}

export function chooseForwarded(input: ChooseInput): ForwardChoice {
  return chooseFor(prepareCandidates(input.candidates), input);
}

/** One subscriber's choice from a prepared meeting: bounded by its page and N, not by the meeting. */
export function chooseFor(m: MeetingCandidates, input: ChooseFor): ForwardChoice {
  const maxVideo = input.maxVideo ?? MAX_VIDEO_FORWARDED;
  const audioN = input.audioN ?? AUDIO_TOP_N;
  const self = input.self;
  const audio = new Set<string>();
  const othersVoices = m.voices.length - (self !== undefined && m.byId.get(self)?.hasAudio ? 1 : 0);
  if (othersVoices <= ALL_AUDIO_UP_TO) {
    for (const c of m.voices) if (c.publisherId !== self) audio.add(c.publisherId);
  } else {
    for (const id of input.pinnedAudio) if (id !== self && m.byId.get(id)?.hasAudio) audio.add(id);
    const limit = audio.size + audioN;
    for (const c of m.speakers) {
      if (audio.size >= limit) break;
      if (c.hasAudio && c.publisherId !== self) audio.add(c.publisherId);
    }
  }

  const screen = new Set<string>();
  for (const c of m.screens) {
    if (screen.size >= MAX_SCREENS) break;
    if (c.publisherId !== self) screen.add(c.publisherId);
  }

  const video = new Set<string>();
  // Active speakers always, then what the client shows, then (before it said) join order.
  let active = 0;
  for (const c of m.speakers) {
    if (active >= audioN || input.now - c.loudAt > SPEAKER_ACTIVE_MS) break;
    if (!c.hasVideo || c.publisherId === self) continue;
    video.add(c.publisherId);
    active++;
  }
  const add = (id: string): boolean => {
    if (video.size >= maxVideo + active) return false;
    if (video.size >= maxVideo && !video.has(id)) return false;
    if (id !== self && m.byId.get(id)?.hasVideo) video.add(id);
    return true;
  };
  if (input.view) {
    for (const id of input.view) if (!add(id)) break;
  } else for (const c of m.cameras) if (!add(c.publisherId)) break;
  return { video, screen, audio };
}
