/**
 * Cross-node enforcement and joins per node (`npx tsx bench/cluster-enforcement.ts [participants]`).
 * Three node processes (bench/cluster-node.ts) on a private PostgreSQL and Redis; participants
 * are admitted through the real join path with in-memory channels (no sockets). Measures:
 *  - joins per second per node (admitParticipant, 16 at a time per node);
 *  - approval on node A → each removal on A, B and C (Redis up), p50/p99/max;
 *  - with Redis killed: approval → removal on the other nodes (PostgreSQL polling), 10 trials.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { createAccounts } from '../server/accounts/index.js';
import { createMeetingStore } from '../server/meetings/index.js';
import { openStorage } from '../server/storage/index.js';
import { services, TestDatabases } from '../test/cluster/services.js';
import { approveAt, recordDemandAt, signUpAt } from '../test/cluster/http.js';

const TOTAL = Number(process.argv[2] ?? 10_000);
const PER_MEETING = 50;
const now = (): number => performance.timeOrigin + performance.now();
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const f = (x: number): string => x.toFixed(1);

class Node {
  child!: ChildProcess;
  url = '';
  #waiters: ((m: any) => void)[] = [];
  constructor(
    readonly id: string,
    readonly port: number,
  ) {}
  async start(env: Record<string, string>): Promise<void> {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'bench/cluster-node.ts'], {
      env: { ...process.env, ...env, PARLEY_NODE_ID: this.id, PORT: String(this.port), PUBLIC_URL: `http://127.0.0.1:${this.port}` },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m) => this.#waiters.shift()?.(m));
    const first = await new Promise<any>((r) => this.#waiters.push(r));
    this.url = `http://127.0.0.1:${this.port}`;
    if (!first.ready) throw new Error(`${this.id}: ${JSON.stringify(first)}`);
  }
  ask(msg: object): Promise<any> {
    return new Promise((r) => {
      this.#waiters.push(r);
      this.child.send(msg);
    });
  }
  stop(): Promise<void> {
    return new Promise((r) => {
      this.child.once('exit', () => r());
      this.child.kill('SIGTERM');
      setTimeout(() => this.child.kill('SIGKILL'), 5000).unref();
    });
  }
}

const svc = await services();
const pg = await svc.startPostgres();
const redis = await svc.startRedis();
const dbs = new TestDatabases(pg.url);
const databaseUrl = await dbs.create();
const env = {
  DATABASE_URL: databaseUrl,
  REDIS_URL: redis.url,
  GEO_TEST_MAP: '127.0.0.2=CN,127.0.0.4=US,127.0.0.1=US',
  COOKIE_SECURE: 'false',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  LOG_ORIGIN: 'parley.bench/transparency',
};
const nodes = [new Node('node-a', await svc.freePort()), new Node('node-b', await svc.freePort()), new Node('node-c', await svc.freePort())];
await nodes[0]!.start(env);
await Promise.all(nodes.slice(1).map((n) => n.start(env)));
const [A] = nodes as [Node, Node, Node];

const host = await signUpAt(A.url, 'Host');
const storage = await openStorage({ databaseUrl });
const accounts = createAccounts(storage.db);
const compliance = await signUpAt(A.url, 'Compliance');
const approver = await signUpAt(A.url, 'Approver');
await accounts.setRoles(compliance.id, ['compliance']);
await accounts.setRoles(approver.id, ['approver']);
const store = createMeetingStore(storage.db);

async function meetingsFor(prefix: string, count: number): Promise<string[][]> {
  const out: string[][] = [[], [], []];
  for (let i = 0; i < count; i++) out[i % 3]!.push((await store.create(host.id, { title: `${prefix} ${i}` })).id);
  return out;
}

// ---- 1. joins per node, then one approval across three nodes ----
const meetings = await meetingsFor('Bench', Math.ceil(TOTAL / PER_MEETING));
const seeded = await Promise.all(nodes.map((n, i) => n.ask({ cmd: 'seed', meetings: meetings[i], perMeeting: PER_MEETING, cnEvery: 2, concurrency: 16 })));
const expected = seeded.map((s) => Math.ceil(s.seeded / 2));
const demandBody = (targets: { meetings: string[]; titlePattern?: string }) => ({
  authority: 'Beijing Municipal Public Security Bureau',
  jurisdiction: 'CN',
  legalBasis: 'Cybersecurity Law art. 12',
  reference: `BENCH-${Math.random().toString(36).slice(2, 8)}`,
  receivedAt: '2020-06-01',
  askedText: 'Terminate the meetings.',
  asks: [{ kind: 'block-participants' }],
  targets: { accounts: [], ...targets },
});
const id = await recordDemandAt(A.url, compliance.cookie, demandBody({ meetings: [], titlePattern: 'Bench *' }));
const t0 = now();
await approveAt(A.url, approver.cookie, id);
const approveMs = now() - t0;
const deadline = Date.now() + 60_000;
let removals: { removedAt: number[] }[];
for (;;) {
  removals = await Promise.all(nodes.map((n) => n.ask({ cmd: 'removals' })));
  if (removals.every((r, i) => r.removedAt.length >= expected[i]!) || Date.now() > deadline) break;
  await new Promise((r) => setTimeout(r, 100));
}
const all = removals.flatMap((r) => r.removedAt.map((t) => t - t0));
const lastPerNode = removals.map((r) => Math.max(...r.removedAt) - t0);

// ---- 2. Redis down: approval → removal on the other nodes, by PostgreSQL polling ----
await redis.crash();
for (let i = 0; i < 100 && (await Promise.all(nodes.map((n) => n.ask({ cmd: 'mode' })))).some((m) => m.mode !== 'polling'); i++)
  await new Promise((r) => setTimeout(r, 100));
const fallback: number[] = [];
for (let trial = 0; trial < 10; trial++) {
  const ms = await meetingsFor(`Outage${trial}`, 3);
  await Promise.all(nodes.map((n, i) => n.ask({ cmd: 'seed', meetings: ms[i], perMeeting: 2, cnEvery: 2, concurrency: 1 })));
  await Promise.all(nodes.map((n) => n.ask({ cmd: 'reset' })));
  const d = await recordDemandAt(A.url, compliance.cookie, demandBody({ meetings: ms.flat() }));
  const s = now();
  await approveAt(A.url, approver.cookie, d);
  for (const n of nodes.slice(1)) {
    for (let k = 0; k < 200; k++) {
      const r = await n.ask({ cmd: 'removals' });
      if (r.removedAt.length > 0) {
        fallback.push(r.removedAt[0] - s);
        break;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
  }
  await new Promise((r) => setTimeout(r, Math.random() * 250)); // spread approvals over the poll phase
}

const load = os.loadavg()[0]!.toFixed(2);
const lines = [
  '',
  '## cluster',
  '',
  'Three node processes, one private PostgreSQL 15 and one Redis on the same machine (`npx tsx bench/cluster-enforcement.ts`).',
  'Participants are admitted through the real join path (`admitParticipant`: meeting, ban and passcode reads, placement claim in Redis, policy) with in-memory channels: no sockets, no media.',
  '',
  `- date: ${new Date().toISOString()}; node ${process.version}; ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}; load average ${load} (2 shared cores run all 3 nodes, PostgreSQL, Redis and the driver)`,
  `- joins per second per node (16 concurrent joins per node, all three nodes at once, ${PER_MEETING} per meeting): ${seeded.map((s, i) => `${nodes[i]!.id} ${f(s.joinsPerSec)}/s (${s.seeded} in ${f(s.ms)} ms)`).join('; ')}`,
  `- cross-node enforcement, Redis up: ${seeded.reduce((n, s) => n + s.seeded, 0)} participants over 3 nodes, ${all.length} located in CN removed (expected ${expected.reduce((a, b) => a + b, 0)}); approval on node A (HTTP response ${f(approveMs)} ms) → removal: p50 ${f(pct(all, 50))} ms, p99 ${f(pct(all, 99))} ms, max ${f(Math.max(...all))} ms; last removal per node ${lastPerNode.map((x, i) => `${nodes[i]!.id} ${f(x)} ms`).join(', ')} (target p99 ≤ 1000 ms: ${pct(all, 99) <= 1000 ? 'met' : 'MISSED'})`,
  `- Redis down (killed), PostgreSQL polling every 250 ms: approval on node A → first removal on nodes B and C, ${fallback.length} samples: p50 ${f(pct(fallback, 50))} ms, p99 ${f(pct(fallback, 99))} ms, max ${f(Math.max(...fallback))} ms (bound: poll interval + one reconcile)`,
  '',
];
process.stdout.write(lines.join('\n'));

await Promise.all(nodes.map((n) => n.stop()));
await storage.close();
redis.stop();
await dbs.drop();
pg.stop();
