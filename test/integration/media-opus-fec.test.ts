/**
 * Opus in-band FEC both ways (issue 14): the SFU's answer to a publisher keeps
 * `useinbandfec=1` (so the browser encodes FEC), and the SFU's offers to subscribers carry it
 * (so they decode it), checked on real libdatachannel descriptions.
 */
import ndc from 'node-datachannel';
import { afterAll, describe, expect, it } from 'vitest';
import { createMediaServer, type MediaSignal } from '../../server/media/index.js';

describe('Opus in-band FEC', () => {
  const server = createMediaServer({ iceServers: [], receiverGate: () => true });
  const pc = new ndc.PeerConnection('fec', { iceServers: [], disableAutoNegotiation: true });
  afterAll(() => {
    pc.close();
    server.close();
  });

  it('is kept in the publisher answer and offered to subscribers', async () => {
    server.addParticipant('m', 'pub', { signal: () => undefined });
    const a = new ndc.Audio('0', 'SendOnly');
    a.addOpusCodec(111);
    a.addSSRC(1234, 'fec', 'fec-stream', 'fec-audio');
    pc.addTrack(a);
    const offer = new Promise<string>((r) => pc.onLocalDescription((s) => r(s)));
    pc.setLocalDescription('offer');
    const browserLike = (await offer).replace(/a=fmtp:111 .*/, 'a=fmtp:111 minptime=10;useinbandfec=1');
    const answer = await server.publish('pub', browserLike);
    expect(answer).toMatch(/a=fmtp:111 [^\r\n]*useinbandfec=1/);
    const offers: string[] = [];
    server.addParticipant('m', 'sub', {
      signal: (s: MediaSignal) => {
        if (s.event === 'media.offer') offers.push(s.data.sdp);
      },
    });
    server.subscribe('sub');
    await new Promise((r) => setTimeout(r, 300));
    expect(offers[0]).toMatch(/a=fmtp:111 [^\r\n]*useinbandfec=1/);
  });
});
