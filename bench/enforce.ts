/**
 * Enforcement latency: N signaling participants (real WebSockets, null media) across M meetings
 * on one in-process node, 10 % located in CN (GEO_TEST_MAP over 127.0.x.y). A CN demand naming
 * every meeting is approved; we measure approval → each `you.removed` received by a client, and
 * approval → each media removeParticipant call. Prints p50/p99/max.
 *   BENCH_PARTICIPANTS (10000) BENCH_MEETINGS (500)   run: npx tsx bench/enforce.ts
 *   BENCH_PROFILE=file.cpuprofile writes a CPU profile of the approval (open it in Chrome devtools).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { fileURLToPath } from 'node:url';
import { demandBody, operator, recordDemand, startPolicyServer } from '../server/policy/test-helpers.js';
import { createMeeting } from '../test/helpers/app.js';

const N = Number(process.env['BENCH_PARTICIPANTS'] ?? 10_000);
const M = Number(process.env['BENCH_MEETINGS'] ?? 500);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function main(): Promise<void> {
  // 127.0.1.0/24 and 127.0.2.0/24 are CN; everything else on loopback is US.
  const server = await startPolicyServer({ geoTestMap: '127.0.1.0/24=CN,127.0.2.0/24=CN,127.0.0.0/8=US' });
  const host = await operator(server, []);
  const compliance = await operator(server, ['compliance']);
  const approver = await operator(server, ['approver']);
  const meetings: string[] = [];
  for (let i = 0; i < M; i++) meetings.push((await createMeeting(server, host.cookie, { title: `Memorial ${i}` })).id);

  let t0 = 0;
  // Clients live in child processes: 10,000 sockets on each side would pass one process's fd limit.
  const CLIENT_PROCS = Math.max(1, Math.ceil(N / 5000));
  const BATCH = Number(process.env['BENCH_BATCH'] ?? 100);
  const t0Open = performance.now();
  const children = Array.from({ length: CLIENT_PROCS }, () =>
    fork(fileURLToPath(new URL('./enforce-clients.ts', import.meta.url)), { execArgv: ['--import', 'tsx'] }),
  );
  const ask = <T>(child: ChildProcess, msg: object, reply: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (m: { cmd: string; message?: string }) => {
        if (m.cmd === 'error') reject(new Error(m.message));
        if (m.cmd !== reply) return;
        child.off('message', on);
        resolve(m as T);
      };
      child.on('message', on);
      child.send(msg);
    });
  const per = Math.ceil(N / CLIENT_PROCS);
  const ready = await Promise.all(
    children.map((c, k) =>
      ask<{ cnIds: string[] }>(c, { cmd: 'start', wsUrl: server.wsUrl, meetings, from: k * per, to: Math.min(N, (k + 1) * per), batch: BATCH }, 'ready'),
    ),
  );
  const cnIds = new Set(ready.flatMap((r) => r.cnIds));
  const openS = (performance.now() - t0Open) / 1000;

  // The server's own pass after a location-database reload (geo-recheck measures the lookups):
  // every live participant re-located through RoomManager.relocateAll, here with no change.
  const relocateTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await server.services.rooms.relocateAll();
    relocateTimes.push(performance.now() - t);
  }

  const id = await recordDemand(server, compliance.cookie, demandBody(meetings, { asks: [{ kind: 'block-participants' }] }));
  server.mediaRemovals.length = 0;
  if (process.env['BENCH_TRACE']) {
    // The engine's state is private (issue 11): trace the log it shares with the server.
    const ctx = { log: server.log } as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>;
    for (const [o, k] of [
      ['log', 'append'],
      ['log', 'appendMany'],
    ] as const) {
      const f = ctx[o]![k]!.bind(ctx[o]);
      ctx[o]![k] = async (...a: unknown[]) => {
        const s = performance.now();
        const r = await f(...a);
        console.log(`  trace ${o}.${k} start=${(s - t0).toFixed(1)} took=${(performance.now() - s).toFixed(1)} ms`);
        return r;
      };
    }
  }
  const profileTo = process.env['BENCH_PROFILE'];
  const inspector = profileTo ? new Session() : null;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
    await inspector.post('Profiler.start');
  }
  // Bench-only instrumentation: when each you.removed is handed to the kernel. Signaling corks
  // a socket on its first frame in a turn and uncorks on the next tick; the uncork writes it.
  const written: number[] = [];
  const marked = new WeakSet<object>();
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    if (typeof data === 'string' && data.startsWith('{"type":"event","event":"you.removed"')) marked.add((this as unknown as { _socket: Socket })._socket);
    (send as (...a: unknown[]) => void).call(this, data, ...rest);
  } as typeof send;
  const uncork = Socket.prototype.uncork;
  Socket.prototype.uncork = function (this: Socket) {
    uncork.call(this);
    // ws corks and uncorks around each frame too; only the outermost uncork writes.
    if (this.writableCorked === 0 && marked.has(this)) {
      marked.delete(this);
      written.push(performance.now() - t0);
    }
  };
  t0 = performance.now();
  const res = await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: approver.cookie } });
  const tResponse = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(res.body);
  const expected = cnIds.size;
  const tApproveAbs = performance.timeOrigin + t0;
  const deadline = Date.now() + 30_000;
  let removedAt: number[] = [];
  while (Date.now() < deadline) {
    const times = await Promise.all(children.map((c) => ask<{ removedAt: number[] }>(c, { cmd: 'collect' }, 'times')));
    removedAt = times.flatMap((t) => t.removedAt);
    if (removedAt.length >= expected) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (inspector && profileTo) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(profileTo, JSON.stringify(profile));
    inspector.disconnect();
  }
  const signal = removedAt.map((t) => t - tApproveAbs);
  // The first cut per participant is the one that stops media (later calls are idempotent no-ops).
  const firstCut = new Map<string, number>();
  for (const r of server.mediaRemovals) if (cnIds.has(r.participantId) && !firstCut.has(r.participantId)) firstCut.set(r.participantId, r.at - t0);
  const media = [...firstCut.values()];
  const wrong = server.mediaRemovals.filter((r) => !cnIds.has(r.participantId)).length;
  const f = (x: number) => x.toFixed(1);
  const lines = [
    `enforce: ${N} participants (${expected} in CN) across ${M} meetings, one node, ${process.platform} ${process.arch}, node ${process.version}`,
    `  connected + joined in ${openS.toFixed(1)} s; approve response after ${f(tResponse)} ms`,
    `  approval → you.removed written to the socket: n=${written.length} p50=${f(pct(written, 50))} ms p99=${f(pct(written, 99))} ms max=${f(Math.max(...written))} ms`,
    `  approval → you.removed received by the client process: n=${signal.length} p50=${f(pct(signal, 50))} ms p99=${f(pct(signal, 99))} ms max=${f(Math.max(...signal))} ms`,
    `  approval → media cut (removeParticipant): n=${media.length} p50=${f(pct(media, 50))} ms p99=${f(pct(media, 99))} ms max=${f(Math.max(...media))} ms`,
    `  re-locate all ${N} live participants (RoomManager.relocateAll, test map, no change), 5 passes: ${relocateTimes.map(f).join(', ')} ms`,
    `  participants outside CN removed: ${wrong}; target p99 ≤ 100 ms (written and media cut): ${Math.max(pct(written, 99), pct(media, 99)) <= 100 ? 'met' : 'NOT met'}; received: ${pct(signal, 99) <= 100 ? 'met' : 'NOT met'}`,
  ];
  console.log(lines.join('\n'));
  for (const c of children) c.send({ cmd: 'stop' });
  await server.close();
}

await main();
