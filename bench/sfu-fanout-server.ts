/**
 * Child process for bench/sfu-fanout.ts: runs only the SFU so that process.cpuUsage()
 * measures the SFU (JS + libdatachannel threads) and nothing else. Talks over IPC.
 */
import { createMediaServer } from '../server/media/index.js';

type Msg =
  | { op: 'add'; id: string }
  | { op: 'publish'; id: string; sdp: string; rid: number }
  | { op: 'answer'; id: string; sdp: string }
  | { op: 'cand'; id: string; pc: 'pub' | 'sub'; candidate: string; mid: string }
  | { op: 'measure'; rid: number };

const media = createMediaServer({ iceServers: [], receiverGate: () => true });
const send = (m: unknown): void => {
  process.send?.(m);
};

process.on('message', (raw) => {
  const m = raw as Msg;
  switch (m.op) {
    case 'add':
      media.addParticipant('bench', m.id, { signal: (msg) => send({ op: 'signal', id: m.id, msg }) });
      // Every bench participant answers offers (its receiver peer): it asks for media, as a browser does.
      media.subscribe(m.id);
      break;
    case 'publish':
      void media.publish(m.id, m.sdp).then((sdp) => send({ op: 'reply', rid: m.rid, sdp }));
      break;
    case 'answer':
      void media.answer(m.id, m.sdp);
      break;
    case 'cand':
      media.addCandidate(m.id, m.pc, m.candidate, m.mid);
      break;
    case 'measure': {
      const cpu = process.cpuUsage();
      send({ op: 'reply', rid: m.rid, cpuUs: cpu.user + cpu.system, forwarded: media.stats().forwardedPackets, rss: process.memoryUsage().rss });
      break;
    }
  }
});
process.on('disconnect', () => {
  media.close();
  process.exit(0);
});
