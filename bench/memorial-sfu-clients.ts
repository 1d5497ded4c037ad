/**
 * The clients of bench/memorial-sfu-joins.ts, in a process of their own so that the server's CPU
 * is read from its process alone. Forked with IPC:
 *   memorial-sfu-clients.ts <wsUrl> <meetingId> <members> <publishers>
 * First `publishers` real WebRTC peers (@roamhq/wrtc, 320x240@15 + audio, one talking) join,
 * ask for media and publish; then it reports `ready` and waits for `go`. Then `members`
 * signaling-only clients (no WebRTC, like the memorial's roster clients) join one after another
 * and never send `media.subscribe`; it reports `joined` (join times), waits for `count`, and
 * reports how many subscriber-leg messages the members got (offers, relabels, candidates).
 */
import { signalingPeer } from '../test/cluster/wrtc-signaling.js';
import { WsClient } from '../test/helpers/app.js';
import type { TestPeer } from '../test/integration/media-wrtc-peer.js';

const [wsUrl = '', meetingId = '', nArg = '250', pArg = '4'] = process.argv.slice(2);
const N = Number(nArg);
const P = Number(pArg);

const next = (): Promise<string> => new Promise((resolve) => process.once('message', (m) => resolve(String(m))));
const sockets: WsClient[] = [];
const peers: TestPeer[] = [];
for (let i = 0; i < P; i++) {
  const ws = await WsClient.open(wsUrl);
  sockets.push(ws);
  const j = await ws.request<{ participantId: string }>('join', { meetingId, displayName: `Speaker ${i + 1}` });
  const p = signalingPeer(ws, j.participantId);
  peers.push(p);
  await p.publish({ width: 320, height: 240, fps: 15, silent: i !== 0 });
}
process.send?.({ ready: true });
await next();

const members: WsClient[] = [];
const ids: string[] = [];
const joinMs: number[] = [];
for (let i = 0; i < N; i++) {
  const ws = await WsClient.open(wsUrl);
  const t = performance.now();
  const j = await ws.request<{ participantId: string }>('join', { meetingId, displayName: `Mourner ${i + 1}` });
  joinMs.push(performance.now() - t);
  members.push(ws);
  ids.push(j.participantId);
}
process.send?.({ joined: true, joinMs, ids });
await next();
let subMessages = 0;
let offers = 0;
for (const ws of members)
  for (const e of ws.events) {
    if (e.event === 'media.offer') offers++;
    if (e.event === 'media.offer' || e.event === 'media.streams' || (e.event === 'media.candidate' && e.data.pc === 'sub')) subMessages++;
  }
process.send?.({ counted: true, offers, subMessages });
await next();
for (const p of peers) p.close();
for (const ws of [...sockets, ...members]) ws.close();
process.disconnect();
// The wrtc peers' native threads would keep the process alive.
setTimeout(() => process.exit(0), 500);
