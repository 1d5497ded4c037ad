/**
 * A cluster node for bench/cluster-enforcement.ts: the real node (null media plane) plus an
 * IPC lever that seeds participants straight through admitParticipant() with in-memory
 * channels (no sockets), and reports when each one was removed.
 */
import pino from 'pino';
import { loadConfig } from '../server/config/index.js';
import { startClusterNode } from '../server/cluster/node.js';
import { admitParticipant, type ClientChannel } from '../server/meetings/index.js';
import { createNullMedia } from '../test/helpers/null-media.js';

const now = (): number => performance.timeOrigin + performance.now();
const config = loadConfig();
const node = await startClusterNode({ config, logger: pino({ level: 'warn' }), createMedia: createNullMedia, nodeId: process.env.PARLEY_NODE_ID ?? 'bench' });
const removedAt: number[] = [];

function channel(address: string): ClientChannel {
  return {
    address,
    deviceId: null,
    userId: null,
    send: (msg) => {
      if (msg.type === 'event' && msg.event === 'you.removed') removedAt.push(now());
    },
    sendText: (text) => {
      if (text.includes('"you.removed"')) removedAt.push(now());
    },
    close: () => undefined,
  };
}

type Cmd =
  { cmd: 'seed'; meetings: string[]; perMeeting: number; cnEvery: number; concurrency: number } | { cmd: 'removals' } | { cmd: 'reset' } | { cmd: 'mode' };

process.on('message', (m: Cmd) => {
  void (async () => {
    if (m.cmd === 'seed') {
      const jobs: { meetingId: string; address: string; name: string }[] = [];
      for (const meetingId of m.meetings) {
        for (let i = 0; i < m.perMeeting; i++) jobs.push({ meetingId, address: i % m.cnEvery === 0 ? '127.0.0.2' : '127.0.0.4', name: `P${i}` });
      }
      const t0 = now();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < jobs.length) {
          const j = jobs[next++]!;
          await admitParticipant(node.services.rooms, channel(j.address), { meetingId: j.meetingId, displayName: j.name });
        }
      };
      await Promise.all(Array.from({ length: m.concurrency }, worker));
      const ms = now() - t0;
      process.send?.({ seeded: jobs.length, ms, joinsPerSec: jobs.length / (ms / 1000), stats: node.services.rooms.stats() });
    } else if (m.cmd === 'removals') {
      process.send?.({ removedAt, stats: node.services.rooms.stats() });
    } else if (m.cmd === 'reset') {
      removedAt.length = 0;
      process.send?.({ ok: true });
    } else if (m.cmd === 'mode') {
      process.send?.({ mode: node.cluster.bus.mode() });
    }
  })().catch((err: unknown) => process.send?.({ error: String(err) }));
});
process.send?.({ ready: node.address });
process.once('SIGTERM', () => void node.close().then(() => process.exit(0)));
