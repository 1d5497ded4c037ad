import { describe, expect, it } from 'vitest';
import { buildRtp } from './test-packets.js';
import {
  findExtension,
  isRtcp,
  malformedCounts,
  remapExtensionIds,
  newRtpInfo,
  parseRtp,
  parseVp8,
  readAudioLevel,
  readPicId,
  readStringExtension,
  writePicId,
} from './rtp.js';

describe('rtp parsing', () => {
  it('reads the fixed header fields', () => {
    const info = newRtpInfo();
    expect(parseRtp(buildRtp({ ssrc: 0xdeadbeef, seq: 65535, ts: 0xfffffff0, pt: 111 }), info)).toBe(true);
    expect(info).toMatchObject({ ssrc: 0xdeadbeef, seq: 65535, ts: 0xfffffff0, pt: 111, payloadOffset: 12, payloadLength: 20 });
  });

  it('rejects short and non-v2 packets', () => {
    const info = newRtpInfo();
    expect(parseRtp(Buffer.alloc(8), info)).toBe(false);
    const p = buildRtp({});
    p[0] = 0x40;
    expect(parseRtp(p, info)).toBe(false);
  });

  it('excludes padding from the payload length', () => {
    const info = newRtpInfo();
    parseRtp(buildRtp({ payload: 0, padding: 8 }), info);
    expect(info.payloadLength).toBe(0);
  });

  it('finds one-byte header extensions: audio level and rid', () => {
    const p = buildRtp({
      ext: [
        [1, Buffer.from([0x80 | 42])],
        [10, Buffer.from('h')],
      ],
    });
    const info = newRtpInfo();
    parseRtp(p, info);
    readAudioLevel(p, 1, info);
    expect(info.audioLevel).toBe(42);
    expect(readStringExtension(p, 10)).toBe('h');
    expect(findExtension(p, 7, new Int32Array(1))).toBe(-1);
    expect(info.payloadOffset).toBe(12 + 4 + 4);
  });

  it('parses the VP8 descriptor: picture id, tl0picidx and keyframe start', () => {
    const p = buildRtp({ vp8: { picId: 0x1234, tl0: 7, keyframe: true } });
    const info = newRtpInfo();
    parseRtp(p, info);
    parseVp8(p, info);
    expect(readPicId(p, info)).toBe(0x1234);
    expect(p[info.tl0Offset]).toBe(7);
    expect(info.keyframe).toBe(true);
    const q = buildRtp({ vp8: { picId: 5, keyframe: true, start: false } });
    parseRtp(q, info);
    parseVp8(q, info);
    expect(info.keyframe).toBe(false);
  });

  it('tells RTCP from RTP', () => {
    expect(isRtcp(Buffer.from([0x81, 206, 0, 2]))).toBe(true);
    expect(isRtcp(buildRtp({ pt: 96 }))).toBe(false);
  });

  it("refuses a two-byte picture id that starts on the payload's last byte (the packet that killed the node)", () => {
    // Descriptor X bit, I bit, then a picture id byte with M set: the second byte is missing.
    const p = Buffer.concat([buildRtp({ payload: 0 }), Buffer.from([0x90, 0x80, 0x81])]);
    const info = newRtpInfo();
    expect(parseRtp(p, info)).toBe(true);
    const before = malformedCounts.vp8;
    expect(parseVp8(p, info)).toBe(false);
    expect(malformedCounts.vp8).toBe(before + 1);
    expect(info.picIdLength).toBe(0);
    expect(() => writePicId(p, info, 5)).not.toThrow();
    expect(readPicId(p, info)).toBe(p[0]! & 0x7f);
  });

  it('refuses VP8 descriptors whose TL0PICIDX or TID/KEYIDX byte, or the payload after them, is missing', () => {
    const info = newRtpInfo();
    for (const tail of [
      [0x90, 0x40], // L: TL0PICIDX past the end
      [0x90, 0x20], // T: TID byte past the end
      [0x90, 0xc0, 0x05, 0x07], // I + L, then no VP8 payload
      [0x90], // X bit and nothing else
      [0x90, 0xe0, 0x85, 0x01, 0x02, 0x03], // everything present but the payload
    ]) {
      const p = Buffer.concat([buildRtp({ payload: 0 }), Buffer.from(tail)]);
      expect(parseRtp(p, info)).toBe(true);
      expect(parseVp8(p, info), Buffer.from(tail).toString('hex')).toBe(false);
      expect(info.tl0Offset).toBe(-1);
    }
    const ok = buildRtp({ vp8: { picId: 9, picIdBytes: 1, tl0: 3, tid: 0x40, keyframe: true }, payload: 0 });
    expect(parseRtp(ok, info) && parseVp8(ok, info)).toBe(true);
    expect(readPicId(ok, info)).toBe(9);
    expect(ok[info.tl0Offset]).toBe(3);
    expect(info.keyframe).toBe(true);
  });

  it('refuses padding larger than the packet, zero padding, and CSRC or extension lengths past the end', () => {
    const info = newRtpInfo();
    const pad = buildRtp({ payload: 2, padding: 4 });
    pad[pad.length - 1] = 200;
    expect(parseRtp(pad, info)).toBe(false);
    pad[pad.length - 1] = 0;
    expect(parseRtp(pad, info)).toBe(false);
    const empty = buildRtp({ payload: 0 });
    empty[0] = empty[0]! | 0x20; // padding bit on a packet with no payload: the last header byte is read as the count
    expect(parseRtp(empty, info)).toBe(false);
    const csrc = buildRtp({ payload: 4 });
    csrc[0] = 0x80 | 15;
    expect(parseRtp(csrc, info)).toBe(false);
    const ext = buildRtp({ ext: [[1, Buffer.from([1])]], payload: 0 });
    ext.writeUInt16BE(0xffff, 14);
    expect(parseRtp(ext, info)).toBe(false);
    expect(parseRtp(buildRtp({ csrcs: [1, 2], ext: [[1, Buffer.from([0x85])]], padding: 3 }), info)).toBe(true);
    expect(info.payloadLength).toBe(20);
  });

  it('finds no extension element whose length runs past the extension block', () => {
    const p = buildRtp({ ext: [[1, Buffer.from([0x80 | 42])]], payload: 8 });
    p[16] = (1 << 4) | 0x0f; // claims 16 bytes in a 4-byte block
    const info = newRtpInfo();
    parseRtp(p, info);
    expect(findExtension(p, 1, new Int32Array(1))).toBe(-1);
    readAudioLevel(p, 1, info);
    expect(info.audioLevel).toBe(-1);
    expect(readStringExtension(p, 1)).toBeNull();
    const two = buildRtp({ twoByteExt: true, ext: [[10, Buffer.from('h')]], payload: 8 });
    expect(readStringExtension(two, 10)).toBe('h');
    two[17] = 9; // element length 9 in an 4-byte block
    expect(readStringExtension(two, 10)).toBeNull();
  });

  it('rewrites extension ids in place through a map, in both header forms, stopping at an element that does not fit', () => {
    const map = new Uint8Array(256).fill(14);
    map[5] = 3;
    const one = buildRtp({
      ext: [
        [5, Buffer.from([1, 2, 3])],
        [10, Buffer.from('h')],
      ],
      payload: 4,
    });
    remapExtensionIds(one, map);
    const len = new Int32Array(1);
    expect(findExtension(one, 3, len)).toBe(17);
    expect(len[0]).toBe(3);
    expect(readStringExtension(one, 14)).toBe('h');
    expect(findExtension(one, 5, len)).toBe(-1);
    const two = buildRtp({
      twoByteExt: true,
      ext: [
        [5, Buffer.from([9])],
        [200, Buffer.from('f')],
      ],
      payload: 4,
    });
    remapExtensionIds(two, map);
    expect(findExtension(two, 3, len)).toBe(18);
    expect(readStringExtension(two, 14)).toBe('f');
    const bad = buildRtp({ ext: [[5, Buffer.from([1])]], payload: 4 });
    bad[16] = (5 << 4) | 0x0f;
    const copy = Buffer.from(bad);
    remapExtensionIds(bad, map);
    expect(bad.equals(copy)).toBe(true);
  });
});
