/**
 * Child process for bench/memorial.ts: R participants on their own signaling sockets, each a
 * real @roamhq/wrtc receiver (libwebrtc: jitter buffer, VP8 and Opus decoders, full RTCP
 * feedback) showing a 25-tile page. Per receiver it reports, over the window between its own
 * two snapshots (`secs`), decoded video frames, inbound video streams and how many of them
 * decoded at least one frame.
 *
 *   fork(memorial-receivers.ts, [wsUrl, meetingId, count, firstNumber]); IPC: joined → view → measure
 */
import { signalingPeer } from '../test/cluster/wrtc-signaling.js';
import { WsClient } from '../test/helpers/app.js';
import type { TestPeer } from '../test/integration/media-wrtc-peer.js';

const [wsUrl = '', meetingId = '', countArg = '0', firstArg = '1'] = process.argv.slice(2);
const sockets: WsClient[] = [];
const peers: TestPeer[] = [];
const reply = (m: Record<string, unknown>): void => void process.send?.(m);

interface Snapshot {
  /** inbound-rtp id → framesDecoded (video) */
  frames: Map<string, number>;
  audioPackets: number;
}
let before: Snapshot[] = [];
let cpuBefore = 0;
let startedAt = 0;

async function snapshot(p: TestPeer): Promise<Snapshot> {
  const s: Snapshot = { frames: new Map(), audioPackets: 0 };
  if (!p.sub) return s;
  (await p.sub.getStats()).forEach((r: { type: string; id: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
    if (r.type !== 'inbound-rtp') return;
    if (r.kind === 'video') s.frames.set(r.id, r.framesDecoded ?? 0);
    else s.audioPackets += r.packetsReceived ?? 0;
  });
  return s;
}

const cpuUs = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

for (let i = 0; i < Number(countArg); i++) {
  const ws = await WsClient.open(wsUrl);
  sockets.push(ws);
  const { participantId } = await ws.request<{ participantId: string }>('join', { meetingId, displayName: `Viewer ${Number(firstArg) + i}` });
  peers.push(signalingPeer(ws, participantId));
}
reply({ op: 'joined', ids: peers.map((p) => p.id) });

process.on('message', (raw) => {
  const m = raw as { op: string; page?: string[]; phase?: 'start' | 'end' };
  if (m.op === 'view' && m.page) {
    const page = m.page;
    void Promise.all(
      sockets.map(async (ws) => {
        // Subscriber legs are offered after media.subscribe once the server has it; before, the
        // reply is an error and the leg was offered at join.
        // A 25-tile grid asks for the smallest layer, as the web client's VideoGrid does. A slow
        // reply (the socket's 5 s wait) is counted, not fatal.
        const sent = [
          ws.send('media.subscribe', { publisherIds: page }),
          ws.send('media.view', { publisherIds: page }),
          ...page.map((id) => ws.send('media.layer', { publisherId: id, layer: 'q' })),
        ];
        return (await Promise.allSettled(sent)).filter((r) => r.status === 'rejected').length;
      }),
    ).then((late) => reply({ op: 'viewing', late: late.reduce((a, b) => a + b, 0) }));
  } else if (m.op === 'measure')
    void Promise.all(peers.map(snapshot)).then((now) => {
      if (m.phase === 'start') {
        before = now;
        cpuBefore = cpuUs();
        startedAt = performance.now();
        reply({ op: 'measured' });
        return;
      }
      const perReceiver = now.map((s, i) => {
        const b = before[i];
        let frames = 0;
        let decoding = 0;
        for (const [id, f] of s.frames) {
          const d = f - (b?.frames.get(id) ?? 0);
          frames += d;
          if (d > 0) decoding++;
        }
        const state = peers[i]?.sub?.connectionState ?? 'none';
        return { frames, videoStreams: s.frames.size, decoding, audioPackets: s.audioPackets - (b?.audioPackets ?? 0), state };
      });
      reply({ op: 'measured', perReceiver, cpuUs: cpuUs() - cpuBefore, secs: (performance.now() - startedAt) / 1000 });
    });
});
process.on('disconnect', () => {
  for (const p of peers) p.close();
  for (const s of sockets) s.close();
  process.exit(0);
});
