/**
 * Each browser receives what it shows (issue 15): a subscriber that says which tiles are on
 * screen is sent video for those only; switching page moves a slot to another publisher with a
 * `media.streams` relabel, not a renegotiation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaServer, type MediaServerInternals, type MediaSignal } from '../../server/media/index.js';
import { type TestPeer, joinPeer, peerOver, waitFor } from './media-wrtc-peer.js';

describe('last-N: the SFU sends the tiles a client shows', () => {
  let server: MediaServerInternals;
  const peers: TestPeer[] = [];
  const signals: MediaSignal[] = [];
  let viewer: TestPeer;

  beforeAll(async () => {
    server = createMediaServer({ iceServers: [], receiverGate: () => true });
    // p1 talks (a loud tone); p2 and p3 are silent.
    for (const id of ['p1', 'p2', 'p3']) {
      const p = joinPeer(server, 'm1', id);
      peers.push(p);
      await p.publish({ silent: id !== 'p1' });
    }
    viewer = peerOver('viewer', {
      publish: (sdp) => server.publish('viewer', sdp),
      answer: (sdp) => server.answer('viewer', sdp),
      candidate: (pc, c, mid) => server.addCandidate('viewer', pc, c, mid),
      subscribe: () => {
        server.subscribe('viewer');
        return Promise.resolve();
      },
      listen: (signal) =>
        server.addParticipant('m1', 'viewer', {
          signal: (msg) => {
            signals.push(msg);
            signal(msg);
          },
        }),
    });
    peers.push(viewer);
  });

  afterAll(() => {
    for (const p of peers) p.close();
    server.close();
  });

  const videoFrom = (): (string | null)[] =>
    server
      .slotInfo('viewer')
      .filter((s) => s.mid.startsWith('v'))
      .map((s) => s.publisherId);

  it('before the client says anything, sends every camera of a small meeting', async () => {
    expect(videoFrom().sort()).toEqual(['p1', 'p2', 'p3']);
    expect(await waitFor(async () => (await viewer.received()).frames > 10, 15_000)).toBe(true);
  });

  it('sends video only for the tiles on screen plus the active speaker, and every voice of a small meeting', async () => {
    expect(await waitFor(() => Promise.resolve(server.speakingRecently('p1')), 10_000)).toBe(true);
    server.setView('viewer', ['p2']);
    expect(
      videoFrom()
        .filter((x) => x !== null)
        .sort(),
    ).toEqual(['p1', 'p2']);
    const audio = server.slotInfo('viewer').filter((s) => s.mid.startsWith('a') && s.publisherId !== null);
    expect(audio).toHaveLength(3);
    expect(server.slotInfo('viewer').some((s) => s.publisherId === 'p3' && s.mid.startsWith('v'))).toBe(false);
  });

  it('moves a slot to the next page without a new offer, and the viewer decodes the new publisher', async () => {
    const offersBefore = signals.filter((s) => s.event === 'media.offer').length;
    const slotsBefore = server.slotInfo('viewer').length;
    server.setView('viewer', ['p3']);
    await new Promise((r) => setTimeout(r, 50));
    expect(
      videoFrom()
        .filter((x) => x !== null)
        .sort(),
    ).toEqual(['p1', 'p3']);
    expect(server.slotInfo('viewer')).toHaveLength(slotsBefore);
    expect(signals.filter((s) => s.event === 'media.offer').length).toBe(offersBefore);
    const relabel = signals.filter((s) => s.event === 'media.streams').at(-1);
    expect(relabel && Object.values(relabel.data.streams).some((v) => v.participantId === 'p3' && v.kind === 'video')).toBe(true);
    const before = (await viewer.received()).frames;
    expect(await waitFor(async () => (await viewer.received()).frames > before + 10, 10_000)).toBe(true);
  });
});
