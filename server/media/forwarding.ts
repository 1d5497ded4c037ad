/**
 * What flows where, decided from the SFU's state (issue 15): which sources each subscriber is
 * sent (last-N over one candidate list prepared per meeting) and which simulcast layers each
 * publisher keeps sending (dynacast). media-server.ts owns the participants and applies these.
 */
import { type Candidate, type MeetingCandidates, chooseFor, prepareCandidates } from './last-n.js';
import type { Participant } from './participant.js';
import type { MediaSource } from './source.js';

/** Dynacast: a layer nobody needs any more is paused after this long (a page flip must not pause and resume it). */
export const DYNACAST_PAUSE_MS = 3000;

/** A meeting's publishers as last-N sees them, prepared once for every subscriber's choice. */
export interface PreparedMeeting {
  meeting: MeetingCandidates;
  byId: ReadonlyMap<string, Participant>;
  pins: ReadonlySet<string>;
}

export function prepareMeeting(members: Iterable<Participant>, pins: ReadonlySet<string>): PreparedMeeting {
  const candidates: Candidate[] = [];
  const byId = new Map<string, Participant>();
  for (const o of members) {
    const src = o.publisher.sources;
    if (src.size === 0) continue;
    byId.set(o.id, o);
    candidates.push({
      publisherId: o.id,
      hasVideo: src.has('video'),
      hasScreen: src.has('screen'),
      hasAudio: src.has('audio'),
      order: o.order,
      loudAt: o.loudAt,
    });
  }
  return { meeting: prepareCandidates(candidates), byId, pins };
}

/**
 * The sources this subscriber is sent (last-N: what its client shows, the active speakers, the
 * loudest voices); none until its client asked for media (`media.subscribe`).
 */
export function chooseSources(sub: Participant, m: PreparedMeeting, now: number): MediaSource[] {
  if (!sub.wantsMedia) return [];
  const choice = chooseFor(m.meeting, { self: sub.id, view: sub.view, pinnedAudio: m.pins, now });
  const want: MediaSource[] = [];
  const add = (ids: Set<string>, kind: 'video' | 'screen' | 'audio'): void => {
    for (const id of ids) {
      const s = m.byId.get(id)?.publisher.sources.get(kind);
      if (s && !s.closed) want.push(s);
    }
  };
  add(choice.screen, 'screen');
  add(choice.video, 'video');
  add(choice.audio, 'audio');
  return want;
}

/**
 * Dynacast for one source: how many layers (from the lowest) the publisher should now be told to
 * keep, or null when nothing is to be said. Layers some subscriber takes (or would take on a
 * probe) are kept; more at once, fewer only after DYNACAST_PAUSE_MS. Nobody watching pauses all
 * of it; a resumed top layer is asked for a keyframe here.
 */
export function layersToKeep(src: MediaSource, now: number): number | null {
  if (!src.isVideo || src.closed) return null;
  let need = -1;
  for (const s of src.sinks) if (s.demand > need) need = s.demand;
  const keep = need + 1;
  if (keep === src.keepSent) {
    src.keepLowSince = 0;
    return null;
  }
  if (src.keepSent >= 0 && keep < src.keepSent) {
    if (src.keepLowSince === 0) src.keepLowSince = now;
    if (now - src.keepLowSince < DYNACAST_PAUSE_MS) return null;
  }
  const more = keep > src.keepSent;
  src.keepSent = keep;
  src.keepLowSince = 0;
  if (more && need >= 0) src.requestKeyframe(need, now);
  return keep;
}
