/** Test factory: RTP packets for the media unit tests. */
/** Build an RTP packet with one-byte header extensions and an optional VP8 descriptor. */
export function buildRtp(o: {
  ssrc?: number;
  seq?: number;
  ts?: number;
  pt?: number;
  ext?: [number, Buffer][];
  vp8?: { picId?: number; tl0?: number; start?: boolean; keyframe?: boolean };
  payload?: number;
  padding?: number;
}): Buffer {
  const ext = o.ext ?? [];
  let extBytes = Buffer.alloc(0);
  if (ext.length > 0) {
    const body = Buffer.concat(ext.map(([id, d]) => Buffer.concat([Buffer.from([(id << 4) | (d.length - 1)]), d])));
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const head = Buffer.alloc(4);
    head.writeUInt16BE(0xbede, 0);
    head.writeUInt16BE(padded.length / 4, 2);
    extBytes = Buffer.concat([head, padded]);
  }
  const h = Buffer.alloc(12);
  h[0] = 0x80 | (ext.length > 0 ? 0x10 : 0) | (o.padding ? 0x20 : 0);
  h[1] = o.pt ?? 96;
  h.writeUInt16BE(o.seq ?? 1, 2);
  h.writeUInt32BE(o.ts ?? 1000, 4);
  h.writeUInt32BE(o.ssrc ?? 1111, 8);
  let desc = Buffer.alloc(0);
  if (o.vp8) {
    const v = o.vp8;
    const bytes = [0x80 | (v.start !== false ? 0x10 : 0), (v.picId !== undefined ? 0x80 : 0) | (v.tl0 !== undefined ? 0x40 : 0)];
    if (v.picId !== undefined) bytes.push(0x80 | ((v.picId >> 8) & 0x7f), v.picId & 0xff);
    if (v.tl0 !== undefined) bytes.push(v.tl0);
    bytes.push(v.keyframe ? 0x00 : 0x01);
    desc = Buffer.from(bytes);
  }
  const pad = o.padding ? Buffer.concat([Buffer.alloc(o.padding - 1), Buffer.from([o.padding])]) : Buffer.alloc(0);
  return Buffer.concat([h, extBytes, desc, Buffer.alloc(o.payload ?? 20, 0xaa), pad]);
}
