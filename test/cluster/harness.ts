/**
 * Multi-node harness: private PostgreSQL and Redis (scripts/services.mjs), N node processes
 * (test/cluster/node-entry.ts) on one database, and signaling clients that follow redirects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WsClient } from '../helpers/app.js';
import { services, TestDatabases, type PgHandle, type RedisHandle } from './services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const GEO_MAP = '127.0.0.2=CN,127.0.0.3=HK,127.0.0.4=US,127.0.0.5=MO,127.0.0.6=TW,127.0.0.1=US';

export class NodeProc {
  child: ChildProcess | null = null;
  url = '';
  output = '';
  constructor(
    readonly id: string,
    readonly port: number,
    readonly env: Record<string, string>,
  ) {}

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/cluster/node-entry.ts'], {
      cwd: root,
      env: { ...process.env, ...this.env, PARLEY_NODE_ID: this.id, PORT: String(this.port), PUBLIC_URL: `http://127.0.0.1:${this.port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.url = `http://127.0.0.1:${this.port}`;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.id} did not start:\n${this.output.slice(-2000)}`)), timeoutMs);
      const onData = (d: Buffer): void => {
        this.output += d.toString();
        if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
        if (this.output.includes('READY ')) {
          clearTimeout(t);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`${this.id} exited (${code}) while starting:\n${this.output.slice(-2000)}`));
      });
    });
  }

  /** SIGKILL: no goodbye, no cleanup, like a crashed machine. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    this.child = null;
  }
}

export interface Cluster {
  pg: PgHandle;
  redis: RedisHandle;
  databaseUrl: string;
  nodes: NodeProc[];
  stop(): Promise<void>;
}

export async function startCluster(n = 3, extraEnv: Record<string, string> = {}): Promise<Cluster> {
  const svc = await services();
  const pg = await svc.ensurePostgres();
  if (!pg) throw new Error('PostgreSQL could not be started (see the message above)');
  const redis = await svc.startRedis();
  const dbs = new TestDatabases(pg.url);
  const databaseUrl = await dbs.create();
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    GEO_TEST_MAP: GEO_MAP,
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    LOG_ORIGIN: 'parley.test/transparency',
    ...extraEnv,
  };
  const nodes: NodeProc[] = [];
  for (let i = 0; i < n; i++) nodes.push(new NodeProc(`node-${String.fromCharCode(97 + i)}`, await svc.freePort(), env));
  // The first node migrates the empty database; the others start together after it.
  await nodes[0]!.start();
  await Promise.all(nodes.slice(1).map((x) => x.start()));
  return {
    pg,
    redis,
    databaseUrl,
    nodes,
    async stop() {
      await Promise.all(nodes.map((x) => x.stop()));
      redis.stop();
      await dbs.drop();
      pg.stop();
    },
  };
}

/** Open a signaling client from `localAddress` (the node locates it through GEO_TEST_MAP). */
export function openFrom(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<WsClient> {
  return WsClient.open(url, headers, true, localAddress);
}

export interface Joined {
  client: WsClient;
  /** The node the join finally landed on. */
  wsUrl: string;
  result: { participantId: string; roster: { participantId: string }[] };
  redirects: number;
}

/**
 * Join like the web client should: connect to `firstWsUrl`; on a redirect error, reconnect to
 * the node it names; when a node cannot be reached, try the next one in `fallbacks`.
 */
export async function join(
  firstWsUrl: string,
  fallbacks: string[],
  meetingId: string,
  opts: { from?: string; name?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Joined> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let target = firstWsUrl;
  let redirects = 0;
  let lastError = '';
  for (let attempt = 0; Date.now() < deadline && attempt < 200; attempt++) {
    let client: WsClient;
    try {
      client = await openFrom(target, opts.from ?? '127.0.0.1', opts.headers);
    } catch (err) {
      lastError = String(err);
      const i = fallbacks.indexOf(target);
      target = fallbacks[(i + 1) % fallbacks.length]!;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const r = await client.send('join', { meetingId, displayName: opts.name ?? 'Participant' }).catch((err: unknown) => {
      lastError = String(err);
      return null;
    });
    if (r?.ok) return { client, wsUrl: target, result: r.result as Joined['result'], redirects };
    client.close();
    const redirect = (r && !r.ok ? (r.error.details as { redirect?: { wsUrl: string } } | undefined)?.redirect : undefined) ?? null;
    if (redirect) {
      redirects++;
      target = redirect.wsUrl;
      continue;
    }
    if (r && !r.ok) throw Object.assign(new Error(`join refused: ${r.error.code}`), { code: r.error.code, details: r.error.details });
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`could not join ${meetingId}: ${lastError}`);
}
