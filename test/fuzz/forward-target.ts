/**
 * Fuzz target for the SFU's forwarding path: a simulcast video source and an audio source
 * (from the SDP fixtures below) fed generated and mutated packets, subscriber RTCP and layer
 * switches (see forwardTarget). Runs with the parser targets in targets.ts.
 */
import { chooseLayer } from '../../server/media/layer-select.js';
import { OutSlot } from '../../server/media/out-slot.js';
import { buildNack, buildPli, buildRemb } from '../../server/media/rtcp.js';
import { newRtpInfo, parseRtp } from '../../server/media/rtp.js';
import { parseSdp } from '../../server/media/sdp.js';
import { MediaSource } from '../../server/media/source.js';
import { buildRtp, h264FuA, h264Nal, h264StapA } from '../../server/media/test-packets.js';
import { fakeTrack } from './fake-track.js';
import { type Rng, mutate } from './mutate.js';
import type { FuzzTarget } from './runner.js';
import { hex } from './seeds.js';

const SIMULCAST_VIDEO = [
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'a=mid:1',
  'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rid:q send',
  'a=rid:h send',
  'a=rid:f send',
  'a=simulcast:send q;h;f',
].join('\r\n');
/** The same layers sending H.264 (constrained baseline, mode 1) on payload type 125. */
const SIMULCAST_H264 = SIMULCAST_VIDEO.replace('SAVPF 96 97', 'SAVPF 125 97')
  .replace('a=rtpmap:96 VP8/90000', 'a=rtpmap:125 H264/90000\r\na=fmtp:125 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f')
  .replace('apt=96', 'apt=125');
const AUDIO = [
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=rtpmap:111 opus/48000/2',
  'a=ssrc:11 cname:x',
].join('\r\n');

interface Step {
  kind: 'video' | 'audio' | 'rtcp' | 'layer' | 'reattach';
  buf: Buffer;
  slot: number;
  value: number;
}

/**
 * The forwarding path end to end: MediaSource.handle → OutSlot.forward (rewrite, history,
 * send) for a simulcast video source learning its layers from rid extensions and an audio
 * source with levels, plus subscriber RTCP (NACK retransmit, PLI, REMB) and layer switches.
 * Two video slots and one audio slot send into fake tracks that check every packet sent. With
 * `codec` H264 the source sends RFC 6184 payloads; the second video slot's subscriber did not
 * accept H.264, so any packet sent on it is a violation.
 */
export function forwardTarget(codec: 'VP8' | 'H264' = 'VP8'): FuzzTarget<Step> {
  const h264 = codec === 'H264';
  // Real time: OutSlot answers NACKs from a history aged against Date.now().
  let now = Date.now();
  const video = new MediaSource('pub', 'video', () => undefined);
  const audio = new MediaSource('pub', 'audio', () => undefined);
  const [vm] = parseSdp(h264 ? SIMULCAST_H264 : SIMULCAST_VIDEO);
  const [am] = parseSdp(AUDIO);
  if (!vm || !am) throw new Error('seed SDP did not parse');
  video.configure(vm);
  audio.configure(am);
  audio.onAudioLevel = () => undefined;
  const slots: OutSlot[] = [];
  const tracks = [0, 1, 2].map((i) => {
    const isVideo = i < 2;
    const src = isVideo ? video : audio;
    // A line that refused H.264 expects no packet at all (payload type -1 matches nothing).
    const refuses = h264 && i === 1;
    const t = fakeTrack({ ssrc: () => slots[i]?.rewriter.outSsrc ?? -1, pt: refuses ? -1 : src.pt });
    const slot = new OutSlot({
      mid: `m${i}`,
      streamId: `s${i}`,
      video: isVideo,
      pt: src.pt,
      ssrc: 1000 + i,
      clockRate: src.clockRate,
      track: t.track,
      owner: { onRemb: () => undefined },
    });
    slot.h264 = h264 && !refuses;
    slot.attach(src);
    src.sinks.push(slot);
    t.open();
    slots.push(slot);
    return t;
  });
  const info = newRtpInfo();
  const seq = [0, 0, 0, 0];
  const rids = ['q', 'h', 'f'];

  function videoPacket(rng: Rng): Buffer {
    const layer = rng.int(4);
    const s = (seq[layer] = ((seq[layer] as number) + 1) & 0xffff);
    const rid = layer < 3 ? (rids[layer] as string) : rng.pick(['x', 'constructor', '__proto__', 'toString', 'qq']);
    const b = buildRtp({
      ssrc: 100 + layer,
      seq: s,
      ts: s * 3000,
      marker: rng.chance(0.3),
      ext: rng.chance(0.8) ? [[10, Buffer.from(rid)]] : [],
      ...(h264
        ? { pt: 125, body: h264Body(rng) }
        : { vp8: { picId: s & 0x7fff, picIdBytes: rng.chance(0.8) ? 2 : 1, tl0: s & 0xff, keyframe: rng.chance(0.2), start: rng.chance(0.8) } }),
      payload: rng.int(40),
    });
    return rng.chance(0.6) ? b : mutate(rng, b);
  }

  function h264Body(rng: Rng): Buffer {
    const size = 1 + rng.int(40);
    return rng.pick([
      () => h264StapA([h264Nal(7, 1 + rng.int(12)), h264Nal(8, 1 + rng.int(4)), ...(rng.chance(0.5) ? [h264Nal(5, size)] : [])]),
      () => h264FuA(rng.chance(0.3) ? 5 : 1, { start: rng.chance(0.3), end: rng.chance(0.3), size }),
      () => h264Nal(rng.pick([1, 5, 6, 7, 8]), size),
    ])();
  }

  function audioPacket(rng: Rng): Buffer {
    const s = (seq[3] = ((seq[3] as number) + 1) & 0xffff);
    const b = buildRtp({ ssrc: 11, pt: 111, seq: s, ts: s * 960, ext: [[1, Buffer.from([rng.int(256)])]], payload: rng.int(60) });
    return rng.chance(0.6) ? b : mutate(rng, b);
  }

  function rtcp(rng: Rng, slot: OutSlot): Buffer {
    const out = slot.rewriter.outSsrc;
    const base = slot.rewriter.outSeq;
    const b = rng.pick([
      () =>
        buildNack(
          1,
          out,
          Array.from({ length: 1 + rng.int(4) }, () => (base - rng.int(600)) & 0xffff),
        ),
      () =>
        buildNack(
          1,
          out,
          Array.from({ length: 64 }, () => base),
        ),
      () => buildPli(1, out),
      () => buildRemb(1, rng.int(5_000_000), [out]),
    ])();
    return rng.chance(0.7) ? b : mutate(rng, b);
  }

  return {
    name: h264 ? 'forward H.264 (source→slot, NACK, PLI, REMB, layer switch, a line refusing H.264)' : 'forward (source→slot, NACK, PLI, REMB, layer switch)',
    next(rng) {
      const r = rng.next();
      const slot = rng.int(3);
      if (r < 0.6) return { kind: 'video', buf: videoPacket(rng), slot, value: 0 };
      if (r < 0.8) return { kind: 'audio', buf: audioPacket(rng), slot, value: 0 };
      if (r < 0.93) return { kind: 'rtcp', buf: rtcp(rng, slots[slot] as OutSlot), slot, value: 0 };
      if (r < 0.99) return { kind: 'layer', buf: Buffer.alloc(0), slot: rng.int(2), value: rng.int(3) };
      return { kind: 'reattach', buf: Buffer.alloc(0), slot, value: 0 };
    },
    show: (s) => `${s.kind} slot ${s.slot} value ${s.value} ${hex(s.buf)}`,
    run(s) {
      const outcome = step(s);
      for (const t of tracks) {
        if (t.violation === null) continue;
        const v = t.violation;
        t.violation = null;
        throw new Error(v);
      }
      return outcome;
    },
  };

  function step(s: Step): string {
    now = Date.now();
    const slot = slots[s.slot] as OutSlot;
    const track = tracks[s.slot] as (typeof tracks)[number];
    switch (s.kind) {
      case 'video':
      case 'audio': {
        if (!parseRtp(s.buf, info)) return 'rtp:malformed';
        const n = (s.kind === 'video' ? video : audio).handle(s.buf, info, now);
        // A rid from the packet names one of three layers, never a property of the table.
        if (Object.keys(video.layers).length !== 3) throw new Error(`layer table has keys ${Object.keys(video.layers).join(',')}`);
        return `${s.kind}:sent${Math.min(n, 2)}`;
      }
      case 'rtcp': {
        track.seqs.length = 0;
        track.rtcp(s.buf);
        // Each packet at most once per NACK: naming a sequence number 64 times must not resend it 64 times.
        if (new Set(track.seqs).size !== track.seqs.length)
          throw new Error(`one RTCP packet resent ${track.seqs.length} packets, ${new Set(track.seqs).size} distinct`);
        return track.seqs.length > 0 ? 'rtcp:resent' : 'rtcp:none';
      }
      case 'layer': {
        video.measure(now, 500);
        slot.preferred = s.value;
        const target = chooseLayer({
          preferred: s.value,
          rates: video.rates([0, 0, 0], now),
          budget: s.value * 1e6,
          current: slot.current,
          headroomMs: 5000,
        });
        if (target >= 0) slot.target = target;
        return target >= 0 ? 'layer:switch' : 'layer:none';
      }
      case 'reattach': {
        const src = slot.source ?? (s.slot < 2 ? video : audio);
        slot.detach();
        slot.attach(src);
        src.sinks.push(slot);
        return 'reattach';
      }
    }
  }
}
