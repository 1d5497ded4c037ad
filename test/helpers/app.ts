/** Build a real Parley server in-process on a loopback port, with SQLite in memory. */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach } from 'vitest';
import WebSocket from 'ws';
import type { JoinResult, ServerMessage } from '../../protocol/signaling.js';
import { buildApp, type AppDeps, type Services } from '../../server/app.js';
import { testConfig } from '../../server/config/index.js';
import { openMemoryStorage } from '../../server/storage/index.js';
import { createNullMedia } from './null-media.js';

export interface TestServer {
  app: FastifyInstance;
  services: Services;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** Start a server; signaling-only tests use the null media plane unless `createMedia` is given. */
export async function startServer(opts: { config?: Record<string, string>; deps?: Partial<AppDeps> } = {}): Promise<TestServer> {
  const storage = await openMemoryStorage();
  const config = testConfig({ COOKIE_SECURE: 'false', ...opts.config });
  const built = await buildApp({ config, storage, createMedia: createNullMedia, ...opts.deps });
  const address = await built.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app: built.app,
    services: built.services,
    url: address,
    wsUrl: address.replace(/^http/, 'ws') + '/ws',
    async close() {
      await built.app.close();
      await storage.close();
    },
  };
}

/** Sign up a user over HTTP and return their session cookie. */
export async function signUp(server: TestServer, overrides: Partial<{ email: string; password: string; displayName: string }> = {}) {
  const email = overrides.email ?? `user-${Math.random().toString(36).slice(2)}@example.org`;
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email, password: overrides.password ?? 'correct horse battery', displayName: overrides.displayName ?? 'Host' },
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'parley_session');
  const user = res.json<{ user: { id: string } }>().user;
  return { email, user, cookie: `parley_session=${cookie?.value}` };
}

export async function createMeeting(server: TestServer, cookie: string, body: Record<string, unknown> = {}) {
  const res = await server.app.inject({ method: 'POST', url: '/api/meetings', headers: { cookie }, payload: { title: 'Memorial', ...body } });
  if (res.statusCode !== 201) throw new Error(`create meeting failed: ${res.body}`);
  return res.json<{ meeting: { id: string } }>().meeting;
}

/** A signaling client over a real WebSocket. */
export class WsClient {
  readonly ws: WebSocket;
  readonly events: Extract<ServerMessage, { type: 'event' }>[] = [];
  readonly responses = new Map<string, Extract<ServerMessage, { type: 'response' }>>();
  closeCode: number | null = null;
  #n = 0;
  #waiters: (() => void)[] = [];
  #listeners: ((e: Extract<ServerMessage, { type: 'event' }>) => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as ServerMessage;
      if (msg.type === 'response') this.responses.set(msg.id, msg);
      else {
        this.events.push(msg);
        for (const l of this.#listeners) l(msg);
      }
      this.#waiters.splice(0).forEach((w) => w());
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.#waiters.splice(0).forEach((w) => w());
    });
  }

  /** Open a client; `localAddress` binds the socket (the server locates it through GEO_TEST_MAP). */
  static async open(url: string, headers: Record<string, string> = {}, hello = true, localAddress?: string): Promise<WsClient> {
    const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const c = new WsClient(ws);
    if (hello) await c.request('hello', { v: 1 });
    return c;
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Call `listener` with every event received so far and every later one. */
  onEvent(listener: (e: Extract<ServerMessage, { type: 'event' }>) => void): void {
    for (const e of this.events) listener(e);
    this.#listeners.push(listener);
  }

  /** Send a request and wait for its response (ok or not). */
  async send(type: string, payload: Record<string, unknown> = {}) {
    const id = `r${++this.#n}`;
    this.ws.send(JSON.stringify({ type, id, ...payload }));
    await this.until(() => this.responses.has(id) || this.closeCode !== null);
    const r = this.responses.get(id);
    if (!r) throw new Error(`socket closed (${this.closeCode}) before response to ${type}`);
    return r;
  }

  /** Send a request; throw if it failed. */
  async request<T = unknown>(type: string, payload: Record<string, unknown> = {}): Promise<T> {
    const r = await this.send(type, payload);
    if (!r.ok) throw new Error(`${type} failed: ${r.error.code}`);
    return r.result as T;
  }

  async until(pred: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  event<E extends string>(name: E) {
    return this.events.find((e) => e.event === name) as Extract<ServerMessage, { type: 'event'; event: E }> | undefined;
  }

  async waitEvent(name: string, pred: (data: any) => boolean = () => true, timeoutMs = 5000) {
    await this.until(() => this.events.some((e) => e.event === name && pred(e.data)), timeoutMs);
    return this.events.find((e) => e.event === name && pred(e.data))!;
  }

  close(): void {
    this.ws.close();
  }
}

/** What `serverPerTest` gives a test file. */
export interface PerTestServer {
  /** The current test's server (a view onto it: valid inside a test, a new one for each test). */
  readonly server: TestServer;
  /** A signaling client to the current server, closed after the test. */
  client(headers?: Record<string, string>): Promise<WsClient>;
  /** A new host account, its meeting (`meeting` fields on top of the defaults) and the host joined to it as 'Host'. */
  hostedMeeting(meeting?: Record<string, unknown>): Promise<{ host: Awaited<ReturnType<typeof signUp>>; m: { id: string }; h: WsClient; joined: JoinResult }>;
  /** A new client joined to `meetingId` as `displayName` (signed in when `cookie` is given). */
  joined(meetingId: string, displayName: string, cookie?: string): Promise<{ ws: WsClient; id: string; join: JoinResult }>;
}

/**
 * A fresh in-process server for each test of the calling file (registers vitest's
 * beforeEach/afterEach): every client a test opens is closed and the server stopped after it.
 */
export function serverPerTest(opts: Parameters<typeof startServer>[0] = {}): PerTestServer {
  let current: TestServer | null = null;
  const clients: WsClient[] = [];
  const now = (): TestServer => {
    if (!current) throw new Error('no server outside a test');
    return current;
  };
  beforeEach(async () => {
    current = await startServer(opts);
  });
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await current?.close();
    current = null;
  });
  const server: TestServer = {
    get app() {
      return now().app;
    },
    get services() {
      return now().services;
    },
    get url() {
      return now().url;
    },
    get wsUrl() {
      return now().wsUrl;
    },
    close: () => now().close(),
  };
  async function client(headers: Record<string, string> = {}): Promise<WsClient> {
    const c = await WsClient.open(now().wsUrl, headers);
    clients.push(c);
    return c;
  }
  return {
    server,
    client,
    async hostedMeeting(meeting: Record<string, unknown> = {}) {
      const host = await signUp(server);
      const m = await createMeeting(server, host.cookie, meeting);
      const h = await client({ cookie: host.cookie });
      const joined = await h.request<JoinResult>('join', { meetingId: m.id, displayName: 'Host' });
      return { host, m, h, joined };
    },
    async joined(meetingId: string, displayName: string, cookie?: string) {
      const ws = await client(cookie ? { cookie } : {});
      const join = await ws.request<JoinResult>('join', { meetingId, displayName });
      return { ws, id: join.participantId, join };
    },
  };
}
