/**
 * A stand-in for a libdatachannel Track on the subscriber side: records what the SFU sends
 * and lets the harness inject RTCP. Every sent packet is checked against the slot's promises
 * (parses as RTP, carries the slot's SSRC and payload type); a broken promise throws, which the
 * harness counts as a crash.
 */
import type { Track } from 'node-datachannel';
import { newRtpInfo, parseRtp } from '../../server/media/rtp.js';

export interface FakeTrack {
  track: Track;
  sent: number;
  /** Sequence numbers sent since the harness last cleared this. */
  seqs: number[];
  open(): void;
  rtcp(b: Buffer): void;
}

const check = newRtpInfo();

export function fakeTrack(expect: { ssrc: () => number; pt: number }): FakeTrack {
  const cbs: { open?: () => void; msg?: (b: Buffer) => void } = {};
  const t: FakeTrack = {
    sent: 0,
    seqs: [],
    open: () => cbs.open?.(),
    rtcp: (b) => cbs.msg?.(b),
    track: {
      onOpen: (cb: () => void) => {
        cbs.open = cb;
      },
      onClosed: () => undefined,
      onMessage: (cb: (b: Buffer) => void) => {
        cbs.msg = cb;
      },
      sendMessageBinary: (b: Buffer) => {
        if (!parseRtp(b, check)) throw new Error('sent a packet that does not parse as RTP');
        if (check.ssrc !== expect.ssrc() || check.pt !== expect.pt) throw new Error(`sent ssrc ${check.ssrc} pt ${check.pt}`);
        t.sent++;
        if (t.seqs.length < 4096) t.seqs.push(check.seq);
        return true;
      },
      close: () => undefined,
    } as unknown as Track,
  };
  return t;
}
