/**
 * Adversary A6 (a network that loses things): a subscriber leg whose answer never reaches the
 * SFU, or whose connection the client gives up on, is rebuilt without anyone reloading.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaServer, type MediaServerInternals } from '../../server/media/index.js';
import { type TestPeer, joinPeer, peerOver, waitFor } from './media-wrtc-peer.js';

describe('subscriber leg recovery', () => {
  let server: MediaServerInternals;
  const peers: TestPeer[] = [];

  beforeAll(async () => {
    server = createMediaServer({ iceServers: [], receiverGate: () => true });
    const pub = joinPeer(server, 'm1', 'pub');
    peers.push(pub);
    await pub.publish();
  });

  afterAll(() => {
    for (const p of peers) p.close();
    server.close();
  });

  it('rebuilds a leg whose first answer was lost, and media flows on the new connection', async () => {
    let dropped = 0;
    const offers: number[] = [];
    const peer = peerOver('lossy', {
      publish: (sdp) => server.publish('lossy', sdp),
      answer: (sdp) => {
        if (dropped++ === 0) return Promise.resolve(); // lost on the way
        return server.answer('lossy', sdp);
      },
      candidate: (pc, c, mid) => server.addCandidate('lossy', pc, c, mid),
      subscribe: () => {
        server.subscribe('lossy');
        return Promise.resolve();
      },
      listen: (signal) =>
        server.addParticipant('m1', 'lossy', {
          signal: (msg) => {
            if (msg.event === 'media.offer') offers.push(msg.data.generation);
            signal(msg);
          },
        }),
    });
    peers.push(peer);
    const ok = await waitFor(async () => (await peer.received()).frames > 10, 25_000);
    expect(ok).toBe(true);
    expect(offers[0]).toBe(1);
    expect(Math.max(...offers)).toBeGreaterThan(1);
    expect(server.stats().rebuilds).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('rebuilds the leg when the client asks (its connection failed), with a new generation', async () => {
    const gens: number[] = [];
    const peer = peerOver('asks', {
      publish: (sdp) => server.publish('asks', sdp),
      answer: (sdp) => server.answer('asks', sdp),
      candidate: (pc, c, mid) => server.addCandidate('asks', pc, c, mid),
      subscribe: () => {
        server.subscribe('asks');
        return Promise.resolve();
      },
      listen: (signal) =>
        server.addParticipant('m1', 'asks', {
          signal: (msg) => {
            if (msg.event === 'media.offer') gens.push(msg.data.generation);
            signal(msg);
          },
        }),
    });
    peers.push(peer);
    expect(await waitFor(async () => (await peer.received()).frames > 5, 15_000)).toBe(true);
    const oldSub = peer.sub;
    oldSub?.close();
    server.restartSubscriber('asks');
    expect(await waitFor(async () => peer.sub !== oldSub && (await peer.received()).frames > 5, 15_000)).toBe(true);
    expect(new Set(gens).size).toBeGreaterThanOrEqual(2);
    // A client asking again at once does not cost another rebuild (rate limit).
    const before = server.stats().rebuilds;
    server.restartSubscriber('asks');
    expect(server.stats().rebuilds).toBe(before);
  }, 40_000);

  it('refuses an answer when no offer is waiting, without touching the process', async () => {
    await expect(server.answer('lossy', 'v=0\r\n')).rejects.toMatchObject({ code: 'MEDIA_NEGOTIATION_FAILED' });
  });
});
