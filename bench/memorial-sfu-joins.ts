/**
 * The memorial meeting's signaling-only members against the real SFU (issue 15): what a member
 * who never does media costs the server. A server in this process (real SFU, SQLite in memory);
 * in a child process (memorial-sfu-clients.ts) P real WebRTC publishers, then N signaling-only
 * members joining one after another. Prints the server's CPU per join (less the publishers'
 * forwarding, measured before the joins), its CPU per second with the N members in (over 12 s:
 * longer than the SFU's 10 s answer timeout), and what the SFU did for the members: subscriber
 * legs with slots, slots, rebuilds, offers and other subscriber-leg messages sent to them.
 *
 *   npx tsx bench/memorial-sfu-joins.ts [members=250] [publishers=4]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMediaServer, type MediaServerInternals } from '../server/media/index.js';
import { createMeeting, signUp, startServer } from '../test/helpers/app.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const STEADY_MS = 12_000;

type Report = { ready?: true; joined?: true; joinMs?: number[]; ids?: string[]; counted?: true; offers?: number; subMessages?: number };

/** The next message from the clients' process that has `key`. */
function reply(child: ChildProcess, key: keyof Report): Promise<Report> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Report): void => {
      if (m[key] === undefined) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`clients exited ${String(code)}`)));
  });
}

export async function measureSfuJoins(n: number, publishers: number): Promise<void> {
  let media: MediaServerInternals | null = null;
  const server = await startServer({ config: { LOG_LEVEL: 'error' }, deps: { createMedia: (cfg) => (media = createMediaServer(cfg)) } });
  const host = await signUp(server);
  const meetingId = (await createMeeting(server, host.cookie)).id;
  const child = fork(fileURLToPath(new URL('./memorial-sfu-clients.ts', import.meta.url)), [server.wsUrl, meetingId, String(n), String(publishers)], {
    execArgv: ['--import', 'tsx'],
  });
  try {
    await reply(child, 'ready');
    const m = media as MediaServerInternals | null;
    if (!m) throw new Error('no media server');
    await sleep(3000);
    // The publishers' own cost (forwarding to each other), subtracted from what follows.
    const b0 = cpuMs();
    await sleep(5000);
    const baseline = (cpuMs() - b0) / 5000;
    const rebuilds0 = m.stats().rebuilds;
    const c0 = cpuMs();
    const t0 = Date.now();
    const joined = reply(child, 'joined');
    child.send('go');
    const { joinMs = [], ids = [] } = await joined;
    await sleep(1000);
    const joinCpu = cpuMs() - c0 - baseline * (Date.now() - t0);
    const c1 = cpuMs();
    const t1 = Date.now();
    await sleep(STEADY_MS);
    const steady = (cpuMs() - c1) / (Date.now() - t1) - baseline;
    const slots = ids.map((id) => m.slotInfo(id).length);
    const counted = reply(child, 'counted');
    child.send('count');
    const { offers = 0, subMessages = 0 } = await counted;
    const sorted = [...joinMs].sort((a, b) => a - b);
    console.log(`memorial, signaling-only members against the real SFU: ${n} members joining one by one while ${publishers} publish`);
    console.log(
      `  server CPU per join ${(joinCpu / n).toFixed(2)} ms (net of the publishers' ${(baseline * 1000).toFixed(0)} ms/s); join p50 ${sorted[Math.floor(n / 2)]?.toFixed(1)} ms, p99 ${sorted[Math.floor(n * 0.99)]?.toFixed(1)} ms`,
    );
    console.log(
      `  server CPU with the ${n} members in, over ${STEADY_MS / 1000} s: ${(steady * 1000).toFixed(0)} ms/s above the publishers' (${((steady * 1e6) / n).toFixed(0)} µs/s per member)`,
    );
    console.log(
      `  SFU for the members: ${slots.filter((s) => s > 0).length} subscriber legs with slots, ${slots.reduce((a, b) => a + b, 0)} slots, ${m.stats().rebuilds - rebuilds0} rebuilds; sent them ${offers} offers, ${subMessages} subscriber-leg messages`,
    );
  } finally {
    if (child.connected) child.send('bye');
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await measureSfuJoins(Number(process.argv[2] ?? 250), Number(process.argv[3] ?? 4));
