/**
 * With MEDIA_ANNOUNCED_IP set, no description the SFU hands a client (publisher answer,
 * subscriber offer) carries the host's own addresses (LAN, private, IPv6): only the announced
 * one, as for trickled candidates. Real libdatachannel descriptions.
 */
import ndc from 'node-datachannel';
import { afterAll, describe, expect, it } from 'vitest';
import { createMediaServer, type MediaSignal } from '../../server/media/index.js';

const ANNOUNCED = '203.0.113.7';

function candidateAddresses(sdp: string): string[] {
  return [...sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ host/gm)].map((m) => m[1] ?? '');
}

describe('announced media address', () => {
  const server = createMediaServer({ iceServers: [], receiverGate: () => true, announcedIp: ANNOUNCED, udpMuxPort: 41_000 + (process.pid % 1000) });
  const pc = new ndc.PeerConnection('announce', { iceServers: [], disableAutoNegotiation: true });
  afterAll(() => {
    pc.close();
    server.close();
  });

  it('is the only host address in the publisher answer and the subscriber offer, also once gathering is complete', async () => {
    server.addParticipant('m', 'pub', { signal: () => undefined });
    const a = new ndc.Audio('0', 'SendOnly');
    a.addOpusCodec(111);
    a.addSSRC(4321, 'ann', 'ann-stream', 'ann-audio');
    pc.addTrack(a);
    const offer = new Promise<string>((r) => pc.onLocalDescription((s) => r(s)));
    pc.setLocalDescription('offer');
    const publisherOffer = await offer;
    await server.publish('pub', publisherOffer);
    const offers: string[] = [];
    const sub = new ndc.PeerConnection('announce-sub', { iceServers: [], disableAutoNegotiation: true });
    sub.onLocalDescription((sdp, type) => {
      if (type === 'answer') void server.answer('sub', sdp).catch(() => undefined);
    });
    server.addParticipant('m', 'sub', {
      signal: (s: MediaSignal) => {
        if (s.event !== 'media.offer') return;
        offers.push(s.data.sdp);
        sub.setRemoteDescription(s.data.sdp, 'offer');
        sub.setLocalDescription('answer');
      },
    });
    server.subscribe('sub');
    await new Promise((r) => setTimeout(r, 1500));
    // Descriptions made after gathering carry every gathered candidate: a re-offer's answer,
    // and the subscriber's next offer (a second publisher adds a media line).
    const answer = await server.publish('pub', publisherOffer);
    const v = new ndc.PeerConnection('announce2', { iceServers: [], disableAutoNegotiation: true });
    const a2 = new ndc.Audio('0', 'SendOnly');
    a2.addOpusCodec(111);
    a2.addSSRC(9876, 'ann2', 'ann2-stream', 'ann2-audio');
    v.addTrack(a2);
    const offer2 = new Promise<string>((r) => v.onLocalDescription((s) => r(s)));
    v.setLocalDescription('offer');
    server.addParticipant('m', 'pub2', { signal: () => undefined });
    await server.publish('pub2', await offer2);
    await new Promise((r) => setTimeout(r, 500));
    v.close();
    sub.close();
    const later = offers[offers.length - 1] ?? '';
    expect(offers.length).toBeGreaterThan(1);
    for (const sdp of [answer, later]) {
      const hosts = candidateAddresses(sdp);
      expect(hosts.length).toBeGreaterThan(0);
      expect(new Set(hosts)).toEqual(new Set([ANNOUNCED]));
    }
  });
});
