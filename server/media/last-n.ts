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

export interface ChooseInput {
  candidates: readonly Candidate[];
  /** Publisher ids whose tiles the client shows, most important first; null = not said yet. */
  view: readonly string[] | null;
  /** Publisher ids whose audio the host pinned for everyone. */
  pinnedAudio: ReadonlySet<string>;
  now: number;
  maxVideo?: number;
  audioN?: number;
}

/** Most recent speakers first; never-spoken last, in join order. */
function bySpeaking(a: Candidate, b: Candidate): number {
  return b.loudAt - a.loudAt || a.order - b.order;
}

export function chooseForwarded(input: ChooseInput): ForwardChoice {
  const maxVideo = input.maxVideo ?? MAX_VIDEO_FORWARDED;
  const audioN = input.audioN ?? AUDIO_TOP_N;
  const byId = new Map(input.candidates.map((c) => [c.publisherId, c]));
  const speakers = input.candidates.filter((c) => c.loudAt > 0).sort(bySpeaking);

  const audio = new Set<string>();
  const voices = input.candidates.filter((c) => c.hasAudio);
  if (voices.length <= ALL_AUDIO_UP_TO) for (const c of voices) audio.add(c.publisherId);
  else {
    for (const id of input.pinnedAudio) if (byId.get(id)?.hasAudio) audio.add(id);
    const limit = audio.size + audioN;
    for (const c of speakers) {
      if (audio.size >= limit) break;
      if (c.hasAudio) audio.add(c.publisherId);
    }
  }

  const screen = new Set<string>();
  for (const c of [...input.candidates].sort((a, b) => a.order - b.order)) {
    if (screen.size >= MAX_SCREENS) break;
    if (c.hasScreen) screen.add(c.publisherId);
  }

  const video = new Set<string>();
  const active = speakers.filter((c) => input.now - c.loudAt <= SPEAKER_ACTIVE_MS && c.hasVideo).slice(0, audioN);
  // Active speakers always, then what the client shows, then (before it said) join order.
  for (const c of active) video.add(c.publisherId);
  const wanted = input.view ?? [...input.candidates].sort((a, b) => a.order - b.order).map((c) => c.publisherId);
  for (const id of wanted) {
    if (video.size >= maxVideo + active.length) break;
    if (video.size >= maxVideo && !video.has(id)) break;
    if (byId.get(id)?.hasVideo) video.add(id);
  }
  return { video, screen, audio };
}
