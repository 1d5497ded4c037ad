import type { Track } from 'node-datachannel';
import { describe, expect, it } from 'vitest';
import { OutSlot } from './out-slot.js';
import { buildNack, buildPli } from './rtcp.js';
import { findExtension, newRtpInfo, parseRtp, parseVp8, readStringExtension } from './rtp.js';
import { parseSdp } from './sdp.js';
import { MediaSource } from './source.js';
import { buildRtp, h264FuA, h264Nal, h264StapA } from './test-packets.js';

/** A stand-in for a libdatachannel track: records what is sent, lets the test inject RTCP. */
function fakeTrack(): { track: Track; sent: Buffer[]; rtcp(b: Buffer): void; open(): void } {
  const cbs: { open?: () => void; msg?: (b: Buffer) => void } = {};
  const sent: Buffer[] = [];
  const track = {
    onOpen: (cb: () => void) => {
      cbs.open = cb;
    },
    onClosed: () => undefined,
    onMessage: (cb: (b: Buffer) => void) => {
      cbs.msg = cb;
    },
    sendMessageBinary: (b: Buffer) => {
      sent.push(Buffer.from(b));
      return true;
    },
    close: () => undefined,
  } as unknown as Track;
  return { track, sent, rtcp: (b) => cbs.msg?.(b), open: () => cbs.open?.() };
}

function simulcastSource(plis: number[]): MediaSource {
  const src = new MediaSource('alice', 'video', (ssrc) => plis.push(ssrc));
  const [m] = parseSdp(
    [
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:1',
      'a=rtpmap:96 VP8/90000',
      'a=ssrc-group:SIM 10 20 30',
      'a=ssrc:10 cname:parley-q',
      'a=ssrc:20 cname:parley-h',
      'a=ssrc:30 cname:parley-f',
      'a=rid:q send',
      'a=rid:h send',
      'a=rid:f send',
    ].join('\r\n'),
  );
  if (m) src.configure(m);
  return src;
}

function setup(): { src: MediaSource; slot: OutSlot; t: ReturnType<typeof fakeTrack>; plis: number[] } {
  const plis: number[] = [];
  const src = simulcastSource(plis);
  const t = fakeTrack();
  const slot = new OutSlot({ mid: 'v0', streamId: 's0', video: true, pt: 96, ssrc: 777, clockRate: 90000, track: t.track, owner: { onRemb: () => undefined } });
  slot.attach(src);
  src.sinks.push(slot);
  t.open();
  return { src, slot, t, plis };
}

describe('OutSlot', () => {
  it('forwards only from a keyframe of the target layer, asking the publisher for one', () => {
    const { src, slot, t, plis } = setup();
    slot.target = 2;
    const info = newRtpInfo();
    const send = (ssrc: number, seq: number, key: boolean): void => {
      const b = buildRtp({ ssrc, seq, ts: seq * 3000, vp8: { picId: seq, keyframe: key } });
      parseRtp(b, info);
      src.handle(b, info, 1000 + seq);
    };
    send(20, 1, true);
    send(30, 1, false);
    expect(t.sent).toHaveLength(0);
    expect(plis).toEqual([30]);
    send(30, 2, true);
    send(30, 3, false);
    expect(t.sent).toHaveLength(2);
    expect(slot.current).toBe(2);
    expect(t.sent.every((b) => b.readUInt32BE(8) === 777)).toBe(true);
  });

  it('answers a NACK from its send history with the packet as first sent', () => {
    const { src, t } = setup();
    const info = newRtpInfo();
    for (let seq = 100; seq < 110; seq++) {
      const b = buildRtp({ ssrc: 30, seq, ts: seq * 3000, vp8: { picId: seq, keyframe: seq === 100 } });
      parseRtp(b, info);
      src.handle(b, info, Date.now());
    }
    const lost = t.sent[3] as Buffer;
    t.rtcp(buildNack(1, 777, [lost.readUInt16BE(2)]));
    const resent = t.sent[t.sent.length - 1] as Buffer;
    expect(t.sent).toHaveLength(11);
    expect(resent.equals(lost)).toBe(true);
    const r = newRtpInfo();
    parseRtp(resent, r);
    parseVp8(resent, r);
    expect(r.ssrc).toBe(777);
  });

  it('turns a subscriber PLI into a rate-limited PLI for the layer it receives', () => {
    const { src, t, plis } = setup();
    const info = newRtpInfo();
    const b = buildRtp({ ssrc: 30, seq: 1, vp8: { picId: 1, keyframe: true } });
    parseRtp(b, info);
    src.handle(b, info, Date.now());
    t.rtcp(buildPli(1, 777));
    t.rtcp(buildPli(1, 777));
    t.rtcp(buildPli(1, 12345));
    expect(plis).toEqual([30]);
  });

  it('stops forwarding once detached', () => {
    const { src, slot, t } = setup();
    slot.detach();
    const info = newRtpInfo();
    const b = buildRtp({ ssrc: 30, seq: 1, vp8: { picId: 1, keyframe: true } });
    parseRtp(b, info);
    expect(src.handle(b, info, Date.now())).toBe(0);
    expect(t.sent).toHaveLength(0);
    expect(src.sinks).toHaveLength(0);
  });

  it('resends a NACKed packet once however often one NACK names it', () => {
    const { src, t } = setup();
    const info = newRtpInfo();
    for (let seq = 100; seq < 110; seq++) {
      const b = buildRtp({ ssrc: 30, seq, ts: seq * 3000, vp8: { picId: seq, keyframe: seq === 100 } });
      parseRtp(b, info);
      src.handle(b, info, Date.now());
    }
    const lost = (t.sent[3] as Buffer).readUInt16BE(2);
    t.rtcp(
      buildNack(
        1,
        777,
        Array.from({ length: 64 }, () => lost),
      ),
    );
    t.rtcp(buildNack(1, 777, [lost]));
    expect(t.sent).toHaveLength(11);
  });

  it('drops a packet whose VP8 descriptor runs past the payload and keeps the sequence gap-free', () => {
    const { src, t } = setup();
    const info = newRtpInfo();
    const key = buildRtp({ ssrc: 30, seq: 1, vp8: { picId: 1, keyframe: true } });
    parseRtp(key, info);
    src.handle(key, info, Date.now());
    const bad = Buffer.concat([buildRtp({ ssrc: 30, seq: 2, payload: 0 }), Buffer.from([0x90, 0x80, 0x81])]);
    parseRtp(bad, info);
    expect(src.handle(bad, info, Date.now())).toBe(0);
    const next = buildRtp({ ssrc: 30, seq: 3, vp8: { picId: 3 } });
    parseRtp(next, info);
    src.handle(next, info, Date.now());
    expect(t.sent.map((b) => b.readUInt16BE(2))).toEqual([1, 2]);
  });

  it("forwards on the SFU's payload type and extension ids whatever the publisher chose", () => {
    const src = new MediaSource('ff', 'video', () => undefined);
    const [m] = parseSdp(
      [
        'm=video 9 UDP/TLS/RTP/SAVPF 120',
        'a=mid:1',
        'a=extmap:5 urn:ietf:params:rtp-hdrext:toffset',
        'a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
        'a=rtpmap:120 VP8/90000',
        'a=ssrc:50 cname:x',
      ].join('\r\n'),
    );
    if (m) src.configure(m);
    expect(src.pt).toBe(96);
    expect([...src.extIds]).toEqual([['urn:ietf:params:rtp-hdrext:toffset', 3]]);
    const t = fakeTrack();
    const slot = new OutSlot({
      mid: 'v0',
      streamId: 's0',
      video: true,
      pt: src.pt,
      ssrc: 777,
      clockRate: 90000,
      track: t.track,
      owner: { onRemb: () => undefined },
    });
    slot.attach(src);
    src.sinks.push(slot);
    t.open();
    const info = newRtpInfo();
    const b = buildRtp({
      ssrc: 50,
      pt: 120,
      ext: [
        [5, Buffer.from([0, 0, 7])],
        [9, Buffer.from('f')],
      ],
      vp8: { picId: 1, keyframe: true },
    });
    parseRtp(b, info);
    expect(src.handle(b, info, Date.now())).toBe(1);
    const out = t.sent[0] as Buffer;
    expect(out[1]! & 0x7f).toBe(96);
    const len = new Int32Array(1);
    expect(out[findExtension(out, 3, len) + 2]).toBe(7);
    expect(findExtension(out, 5, len)).toBe(-1);
    expect(findExtension(out, 9, len)).toBe(-1);
    expect(readStringExtension(out, 14)).toBe('f');
  });

  it('counts RTCP whose length lies as malformed and acts on nothing in it', () => {
    const { slot, t, plis } = setup();
    const info = newRtpInfo();
    const b = buildRtp({ ssrc: 30, seq: 1, vp8: { picId: 1, keyframe: true } });
    parseRtp(b, info);
    slot.source?.handle(b, info, Date.now());
    const lying = buildPli(1, 777);
    lying.writeUInt16BE(9, 2);
    t.rtcp(lying);
    expect(slot.malformedRtcp).toBe(1);
    expect(plis).toEqual([]);
  });
});

describe('OutSlot with an H.264 source', () => {
  function h264Setup(accepts: boolean) {
    const plis: number[] = [];
    const src = new MediaSource('alice', 'video', (ssrc) => plis.push(ssrc));
    const [m] = parseSdp(
      [
        'm=video 9 UDP/TLS/RTP/SAVPF 127 96',
        'a=mid:1',
        'a=rtpmap:127 H264/90000',
        'a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
        'a=rtpmap:96 VP8/90000',
        'a=ssrc-group:SIM 10 20 30',
        'a=ssrc:10 cname:parley-q',
        'a=ssrc:20 cname:parley-h',
        'a=ssrc:30 cname:parley-f',
        'a=rid:q send',
        'a=rid:h send',
        'a=rid:f send',
      ].join('\r\n'),
    );
    if (m) src.configure(m);
    const t = fakeTrack();
    const slot = new OutSlot({
      mid: 'v0',
      streamId: 's0',
      video: true,
      pt: 96,
      ssrc: 777,
      clockRate: 90000,
      track: t.track,
      owner: { onRemb: () => undefined },
    });
    slot.h264 = accepts;
    slot.attach(src);
    src.sinks.push(slot);
    t.open();
    const info = newRtpInfo();
    let seq = 0;
    const send = (ssrc: number, ts: number, body: Buffer, marker = false): void => {
      const b = buildRtp({ ssrc, pt: 127, seq: ++seq, ts, marker, body });
      parseRtp(b, info);
      src.handle(b, info, Date.now());
    };
    return { src, slot, t, plis, send };
  }

  it('switches layers only at the first packet of an IDR access unit and writes the SFU H.264 payload type', () => {
    const { src, slot, t, plis, send } = h264Setup(true);
    expect(src.codec).toBe('H264');
    expect(src.pt).toBe(102);
    slot.target = 2;
    send(30, 100, h264Nal(1), true);
    expect(plis).toEqual([30]);
    // Another layer's keyframe and this layer's delta frames are not forwarded.
    send(20, 200, h264StapA([h264Nal(7, 12), h264Nal(8, 4), h264Nal(5, 40)]), true);
    send(30, 200, h264FuA(1, { start: true }));
    send(30, 200, h264FuA(1, { end: true }), true);
    expect(t.sent).toHaveLength(0);
    send(30, 300, h264StapA([h264Nal(7, 12), h264Nal(8, 4)]));
    send(30, 300, h264FuA(5, { start: true }));
    send(30, 300, h264FuA(5, { end: true }), true);
    send(30, 400, h264Nal(1), true);
    expect(t.sent).toHaveLength(4);
    expect(slot.current).toBe(2);
    expect(t.sent.every((b) => ((b[1] as number) & 0x7f) === 102 && b.readUInt32BE(8) === 777)).toBe(true);
    // A NACK is answered with the H.264 packet as sent, payload untouched.
    const lost = t.sent[1] as Buffer;
    t.rtcp(buildNack(1, 777, [lost.readUInt16BE(2)]));
    expect((t.sent[t.sent.length - 1] as Buffer).equals(lost)).toBe(true);
  });

  it('never sends H.264 on a line whose answer did not keep it', () => {
    const { t, send } = h264Setup(false);
    send(30, 300, h264StapA([h264Nal(7, 12), h264Nal(8, 4), h264Nal(5, 40)]), true);
    send(30, 400, h264Nal(1), true);
    expect(t.sent).toHaveLength(0);
  });

  it('drops a malformed H.264 payload like padding: no sequence gap', () => {
    const { t, send } = h264Setup(true);
    send(30, 300, h264StapA([h264Nal(7, 12), h264Nal(8, 4), h264Nal(5, 40)]), true);
    send(30, 400, Buffer.from([0x60 | 24, 0, 9, 1]), true);
    send(30, 500, h264Nal(1), true);
    expect(t.sent.map((b) => b.readUInt16BE(2))).toEqual([t.sent[0]?.readUInt16BE(2), ((t.sent[0]?.readUInt16BE(2) ?? 0) + 1) & 0xffff]);
  });
});
