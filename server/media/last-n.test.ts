import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_AUDIO_UP_TO, AUDIO_TOP_N, type Candidate, MAX_VIDEO_FORWARDED, chooseFor, chooseForwarded, prepareCandidates } from './last-n.js';

const cand = (i: number, o: Partial<Candidate> = {}): Candidate => ({
  publisherId: `p${i}`,
  hasVideo: true,
  hasScreen: false,
  hasAudio: true,
  order: i,
  loudAt: 0,
  ...o,
});

describe('chooseForwarded (last-N)', () => {
  it('sends the tiles the client shows, not the whole meeting', () => {
    const candidates = Array.from({ length: 250 }, (_, i) => cand(i));
    const view = candidates.slice(100, 125).map((c) => c.publisherId);
    const r = chooseForwarded({ candidates, view, pinnedAudio: new Set(), now: 1000 });
    expect([...r.video]).toEqual(view);
    expect(r.audio.size).toBe(0); // nobody has spoken yet
  });

  it('forwards every voice in a small meeting', () => {
    const candidates = Array.from({ length: 4 }, (_, i) => cand(i));
    expect(chooseForwarded({ candidates, view: null, pinnedAudio: new Set(), now: 0 }).audio.size).toBe(4);
  });

  it('always includes the active speakers and forwards only the loudest few voices', () => {
    const candidates = Array.from({ length: 50 }, (_, i) => cand(i, i >= 40 ? { loudAt: 10_000 + i } : {}));
    const r = chooseForwarded({ candidates, view: ['p0', 'p1'], pinnedAudio: new Set(['p7']), now: 12_000 });
    expect([...r.audio].sort()).toEqual(['p47', 'p48', 'p49', 'p7'].sort());
    for (const id of ['p49', 'p48', 'p47', 'p0', 'p1']) expect(r.video.has(id)).toBe(true);
  });

  it('drops a speaker from video once they have been quiet for a while, but keeps the audio slot until someone else speaks', () => {
    const candidates = Array.from({ length: 20 }, (_, i) => cand(i, i === 0 ? { loudAt: 1000 } : {}));
    const r = chooseForwarded({ candidates, view: ['p1'], pinnedAudio: new Set(), now: 60_000 });
    expect([...r.video]).toEqual(['p1']);
    expect([...r.audio]).toEqual(['p0']);
  });

  it('never exceeds the visible page plus the speakers, whatever the meeting', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ v: fc.boolean(), a: fc.boolean(), s: fc.boolean(), loud: fc.nat(20_000) }), { maxLength: 300 }),
        fc.option(fc.array(fc.nat(299), { maxLength: 60 }), { nil: null }),
        (rows, viewIdx) => {
          const candidates = rows.map((r, i) => cand(i, { hasVideo: r.v, hasAudio: r.a, hasScreen: r.s, loudAt: r.loud }));
          const view = viewIdx === null ? null : viewIdx.map((i) => `p${i}`);
          const r = chooseForwarded({ candidates, view, pinnedAudio: new Set(), now: 20_000 });
          expect(r.video.size).toBeLessThanOrEqual(MAX_VIDEO_FORWARDED + AUDIO_TOP_N);
          expect(r.audio.size).toBeLessThanOrEqual(Math.max(AUDIO_TOP_N, ALL_AUDIO_UP_TO));
          if (candidates.filter((c) => c.hasAudio).length > ALL_AUDIO_UP_TO) expect(r.audio.size).toBeLessThanOrEqual(ALL_AUDIO_UP_TO);
          expect(r.screen.size).toBeLessThanOrEqual(2);
          for (const id of r.video) expect(candidates.find((c) => c.publisherId === id)?.hasVideo).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one prepared meeting serves every subscriber: the choice for X equals the choice from the meeting without X', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ v: fc.boolean(), a: fc.boolean(), s: fc.boolean(), loud: fc.nat(20_000) }), { minLength: 1, maxLength: 60 }),
        fc.nat(59),
        fc.option(fc.array(fc.nat(59), { maxLength: 30 }), { nil: null }),
        (rows, selfIdx, viewIdx) => {
          const candidates = rows.map((r, i) => cand(i, { hasVideo: r.v, hasAudio: r.a, hasScreen: r.s, loudAt: r.loud }));
          const self = `p${selfIdx % candidates.length}`;
          const view = viewIdx === null ? null : viewIdx.map((i) => `p${i}`).filter((id) => id !== self);
          const pins = new Set(['p1', 'p2']);
          const shared = chooseFor(prepareCandidates(candidates), { self, view, pinnedAudio: pins, now: 20_000 });
          const alone = chooseForwarded({ candidates: candidates.filter((c) => c.publisherId !== self), view, pinnedAudio: pins, now: 20_000 });
          expect(shared).toEqual(alone);
          for (const set of [shared.video, shared.audio, shared.screen]) expect(set.has(self)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
