/**
 * A stand-in for a libdatachannel Track on the subscriber side: records what the SFU sends
 * and lets the harness inject RTCP. Every sent packet is checked against the slot's promises
 * (parses as RTP, carries the slot's SSRC and payload type, only offered extension ids). A
 * broken promise is recorded in `violation` (not thrown: OutSlot's send guard would swallow
 * it) and the harness counts it as a crash.
 */
import type { Track } from 'node-datachannel';
import { findExtension, newRtpInfo, parseRtp } from '../../server/media/rtp.js';

export interface FakeTrack {
  track: Track;
  sent: number;
  /** First broken promise since the harness last cleared this, or null. */
  violation: string | null;
  /** Sequence numbers sent since the harness last cleared this. */
  seqs: number[];
  open(): void;
  rtcp(b: Buffer): void;
}

const check = newRtpInfo();
const len = new Int32Array(1);

export function fakeTrack(expect: { ssrc: () => number; pt: number }): FakeTrack {
  const cbs: { open?: () => void; msg?: (b: Buffer) => void } = {};
  const t: FakeTrack = {
    sent: 0,
    seqs: [],
    violation: null,
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
        const v = broken(b, expect);
        t.violation ??= v;
        t.sent++;
        if (t.seqs.length < 4096) t.seqs.push(check.seq);
        return true;
      },
      close: () => undefined,
    } as unknown as Track,
  };
  return t;
}

function broken(b: Buffer, expect: { ssrc: () => number; pt: number }): string | null {
  if (!parseRtp(b, check)) return 'sent a packet that does not parse as RTP';
  if (check.ssrc !== expect.ssrc() || check.pt !== expect.pt) return `sent ssrc ${check.ssrc} pt ${check.pt}`;
  // Only ids the SFU offers subscribers (1–3) or the undeclared 14 leave the SFU.
  for (let id = 4; id <= 13; id++) if (findExtension(b, id, len) >= 0) return `sent extension id ${id}`;
  return null;
}
