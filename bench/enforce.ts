/**
 * Enforcement latency: N signaling participants (real WebSockets, null media) across M meetings
 * on one in-process node, 10 % located in CN (GEO_TEST_MAP over 127.0.x.y). A CN demand naming
 * every meeting is approved; we measure approval → each `you.removed` received by a client, and
 * approval → each media removeParticipant call. Prints p50/p99/max.
 *   BENCH_PARTICIPANTS (10000) BENCH_MEETINGS (500)   run: npx tsx bench/enforce.ts
 */
import WebSocket from 'ws';
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
  const removedAt = new Map<number, number>();
  const cnIds = new Set<string>();
  const sockets: WebSocket[] = [];
  const t0Open = performance.now();
  async function connect(i: number): Promise<void> {
    const inCn = i % 10 === 0;
    const localAddress = inCn ? `127.0.${1 + (i % 2)}.${1 + (i % 250)}` : `127.0.${10 + (i % 200)}.${1 + (i % 250)}`;
    const ws = new WebSocket(server.wsUrl, { localAddress });
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        ws.send(JSON.stringify({ type: 'hello', id: 'h', v: 1 }));
        ws.send(JSON.stringify({ type: 'join', id: 'j', meetingId: meetings[i % M], displayName: `p${i}` }));
      });
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as { type: string; id?: string; ok?: boolean; result?: { participantId: string }; event?: string };
        if (msg.type === 'response' && msg.id === 'j') {
          if (!msg.ok) return reject(new Error(`join failed: ${String(raw)}`));
          if (inCn) cnIds.add(msg.result!.participantId);
          resolve();
        } else if (msg.type === 'event' && msg.event === 'you.removed') removedAt.set(i, performance.now());
      });
      ws.once('error', reject);
    });
  }
  const BATCH = Number(process.env["BENCH_BATCH"] ?? 100);
  for (let i = 0; i < N; i += BATCH) await Promise.all(Array.from({ length: Math.min(BATCH, N - i) }, (_, k) => connect(i + k)));
  const openS = (performance.now() - t0Open) / 1000;

  const id = await recordDemand(server, compliance.cookie, demandBody(meetings, { asks: [{ kind: 'block-participants' }] }));
  server.mediaRemovals.length = 0;
  if (process.env['BENCH_TRACE']) {
    const ctx = server.policy.ctx as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>;
    for (const [o, k] of [['log', 'append'], ['log', 'appendMany'], ['store', 'getDemand'], ['store', 'transition'], ['store', 'addOutcomes'], ['meetings', 'get']] as const) {
      const f = ctx[o]![k]!.bind(ctx[o]);
      ctx[o]![k] = async (...a: unknown[]) => {
        const s = performance.now();
        const r = await f(...a);
        console.log(`  trace ${o}.${k} start=${(s - t0).toFixed(1)} took=${(performance.now() - s).toFixed(1)} ms`);
        return r;
      };
    }
  }
  t0 = performance.now();
  const res = await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: approver.cookie } });
  const tResponse = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(res.body);
  const expected = cnIds.size;
  const deadline = Date.now() + 30_000;
  while (removedAt.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));

  const signal = [...removedAt.values()].map((t) => t - t0);
  const media = server.mediaRemovals.filter((r) => cnIds.has(r.participantId)).map((r) => r.at - t0);
  const wrong = server.mediaRemovals.filter((r) => !cnIds.has(r.participantId)).length;
  const f = (x: number) => x.toFixed(1);
  const lines = [
    `enforce: ${N} participants (${expected} in CN) across ${M} meetings, one node, ${process.platform} ${process.arch}, node ${process.version}`,
    `  connected + joined in ${openS.toFixed(1)} s; approve response after ${f(tResponse)} ms`,
    `  approval → you.removed received: n=${signal.length} p50=${f(pct(signal, 50))} ms p99=${f(pct(signal, 99))} ms max=${f(Math.max(...signal))} ms`,
    `  approval → media cut (removeParticipant): n=${media.length} p50=${f(pct(media, 50))} ms p99=${f(pct(media, 99))} ms max=${f(Math.max(...media))} ms`,
    `  participants outside CN removed: ${wrong}; target p99 ≤ 100 ms: ${pct(signal, 99) <= 100 ? 'met' : 'NOT met'}`,
  ];
  console.log(lines.join('\n'));
  for (const ws of sockets) ws.terminate();
  await server.close();
}

await main();
