/**
 * Child process for bench/sfu-fanout.ts: N receiving peers using @roamhq/wrtc (libwebrtc:
 * decodes and sends full RTCP feedback, like a browser). Reports inbound-rtp totals.
 */
import wrtc from '@roamhq/wrtc';

const { RTCPeerConnection: PC } = wrtc as unknown as { RTCPeerConnection: new () => RTCPeerConnection };
const pcs = new Map<string, RTCPeerConnection>();
const chains = new Map<string, Promise<void>>();
const pending = new Map<string, RTCIceCandidateInit[]>();
const send = (m: unknown): void => {
  process.send?.(m);
};

function add(id: string): void {
  const pc = new PC();
  pcs.set(id, pc);
  pending.set(id, []);
  chains.set(id, Promise.resolve());
  pc.onicecandidate = (e) => {
    if (e.candidate) send({ op: 'cand', id, pc: 'sub', candidate: e.candidate.candidate, mid: e.candidate.sdpMid ?? '' });
  };
}

async function offer(id: string, sdp: string): Promise<void> {
  const pc = pcs.get(id);
  if (!pc) return;
  await pc.setRemoteDescription({ type: 'offer', sdp });
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  send({ op: 'answer', id, sdp: answer.sdp });
  for (const c of pending.get(id)?.splice(0) ?? []) await pc.addIceCandidate(c).catch(() => undefined);
}

async function measure(): Promise<Record<string, number>> {
  const t = { audio: 0, video: 0, bytes: 0, frames: 0, lost: 0 };
  for (const pc of pcs.values()) {
    (await pc.getStats()).forEach(
      (s: { type: string; kind?: string; packetsReceived?: number; packetsLost?: number; bytesReceived?: number; framesDecoded?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'audio') {
          t.audio += s.packetsReceived ?? 0;
          return;
        }
        t.video += s.packetsReceived ?? 0;
        t.lost += s.packetsLost ?? 0;
        t.bytes += s.bytesReceived ?? 0;
        t.frames += s.framesDecoded ?? 0;
      },
    );
  }
  return t;
}

process.on('message', (raw) => {
  const m = raw as { op: string; id?: string; rid?: number; msg?: { event: string; data: Record<string, string> } };
  if (m.op === 'add' && m.id) add(m.id);
  else if (m.op === 'signal' && m.id && m.msg) {
    const id = m.id;
    const msg = m.msg;
    const run = async (): Promise<void> => {
      if (msg.event === 'media.offer') return offer(id, msg.data.sdp ?? '');
      const pc = pcs.get(id);
      const c = { candidate: msg.data.candidate ?? '', sdpMid: msg.data.mid ?? '' };
      if (pc?.remoteDescription) await pc.addIceCandidate(c).catch(() => undefined);
      else pending.get(id)?.push(c);
    };
    chains.set(
      id,
      (chains.get(id) ?? Promise.resolve()).then(run).catch(() => undefined),
    );
  } else if (m.op === 'measure') void measure().then((t) => send({ op: 'reply', rid: m.rid, ...t }));
});
process.on('disconnect', () => {
  for (const pc of pcs.values()) pc.close();
  process.exit(0);
});
