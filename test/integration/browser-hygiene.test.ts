/**
 * Browser-facing hygiene (issue 10, item 6): state-changing routes and the WebSocket upgrade
 * refuse another site's Origin; frames above the protocol limit and slow readers are cut off;
 * TURN credentials are short-lived and only for joiners; /metrics is not public.
 */
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../protocol/signaling.js';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const PUBLIC = 'https://meet.example.org';

/** Whether a WebSocket handshake with these headers is accepted (else the HTTP status). */
function handshake(url: string, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('Origin on state-changing requests and the WebSocket upgrade', () => {
  it('refuses another origin, a sibling subdomain and Origin: null; accepts PUBLIC_URL and non-browser clients', async () => {
    server = await startServer({ config: { PUBLIC_URL: PUBLIC } });
    const s = server;
    const host = await signUp(s);
    const create = (headers: Record<string, string>) =>
      s.app.inject({ method: 'POST', url: '/api/meetings', headers: { cookie: host.cookie, ...headers }, payload: { title: 'Vigil' } });
    expect((await create({ origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await create({ origin: 'https://evil.example' })).json().error.code).toBe('FORBIDDEN');
    expect((await create({ origin: 'https://chat.meet.example.org' })).statusCode).toBe(403);
    expect((await create({ origin: 'http://meet.example.org' })).statusCode).toBe(403);
    expect((await create({ origin: 'null' })).statusCode).toBe(403);
    expect((await create({ 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await create({ origin: PUBLIC })).statusCode).toBe(201);
    expect((await create({ origin: PUBLIC, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
    expect((await create({})).statusCode).toBe(201); // the CLI, curl, tests: no browser, no Origin
    const logout = await s.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: host.cookie, origin: 'https://evil.example' } });
    expect(logout.statusCode).toBe(403);
    // Reads are not state-changing and stay open to any origin (CORS still keeps their answers from other sites).
    expect((await s.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: host.cookie, origin: 'https://evil.example' } })).statusCode).toBe(200);

    expect(await handshake(s.wsUrl, { cookie: host.cookie, origin: 'https://evil.example' })).toBe(403);
    expect(await handshake(s.wsUrl, { cookie: host.cookie, origin: 'null' })).toBe(403);
    expect(await handshake(s.wsUrl, { cookie: host.cookie, origin: PUBLIC })).toBe('open');
    expect(await handshake(s.wsUrl, { cookie: host.cookie })).toBe('open');
  });

  it('in development (PUBLIC_URL unset) accepts the origin of the Host the browser used, and no other', async () => {
    server = await startServer();
    const s = server;
    const host = await signUp(s);
    const self = new URL(s.url).origin;
    const create = (origin: string) =>
      s.app.inject({ method: 'POST', url: '/api/meetings', headers: { cookie: host.cookie, origin, host: new URL(s.url).host }, payload: { title: 'Vigil' } });
    expect((await create(self)).statusCode).toBe(201);
    expect((await create('http://evil.example')).statusCode).toBe(403);
    expect(await handshake(s.wsUrl, { origin: self })).toBe('open');
    expect(await handshake(s.wsUrl, { origin: 'http://evil.example' })).toBe(403);
  });

  it('accepts the origins in ALLOWED_ORIGINS (the other nodes of a cluster)', async () => {
    server = await startServer({ config: { PUBLIC_URL: PUBLIC, ALLOWED_ORIGINS: 'https://node-b.example.org' } });
    expect(await handshake(server.wsUrl, { origin: 'https://node-b.example.org' })).toBe('open');
    expect(await handshake(server.wsUrl, { origin: 'https://node-c.example.org' })).toBe(403);
  });
});

describe('signaling socket limits', () => {
  it('closes a socket that sends a frame above the protocol limit before buffering it (1009, Message Too Big)', async () => {
    server = await startServer();
    const c = await WsClient.open(server.wsUrl);
    c.sendRaw(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20));
    await c.until(() => c.closeCode !== null);
    expect(c.closeCode).toBe(1009);
    const ok = await WsClient.open(server.wsUrl);
    // The server still serves others.
    expect((await ok.send('ping')).ok).toBe(true);
    ok.close();
  });

  it('closes a participant who stops reading with CLIENT_TOO_SLOW instead of queueing without bound', async () => {
    server = await startServer({ config: { WS_MAX_QUEUED_BYTES: String(256 * 1024) } });
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const slow = await WsClient.open(server.wsUrl);
    await slow.request('join', { meetingId: m.id, displayName: 'Slow' });
    const talkers: WsClient[] = [];
    for (let i = 0; i < 6; i++) {
      const t = await WsClient.open(server.wsUrl);
      await t.request('join', { meetingId: m.id, displayName: `T${i}` });
      talkers.push(t);
    }
    // The slow client stops reading; the others chat (3-byte characters: 12 KB a message).
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const text = '悼'.repeat(4000);
    await Promise.all(
      talkers.map(async (t) => {
        for (let i = 0; i < 150; i++) await t.request('chat.send', { text });
      }),
    );
    // Everyone who reads is still there.
    expect(talkers.every((t) => t.closeCode === null)).toBe(true);
    // Reading again, it finds what was queued up to the cap, then the close.
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.until(() => slow.closeCode !== null, 20_000);
    expect(slow.closeCode).toBe(4408);
    const got = slow.events.filter((e) => e.event === 'chat.message').length;
    expect(got).toBeLessThan(900);
    talkers.forEach((t) => t.close());
  });
});

describe('TURN credentials', () => {
  const TURN = { TURN_SECRET: 'a-long-random-coturn-static-auth-secret', TURN_URLS: 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349' };
  const STATIC = JSON.stringify([{ urls: 'stun:stun.example.org' }, { urls: 'turn:legacy.example.org', username: 'u', credential: 'static-secret' }]);

  it('are never in the public /api/config', async () => {
    server = await startServer({ config: { ...TURN, ICE_SERVERS: STATIC } });
    const res = await server.app.inject({ url: '/api/config' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('static-secret');
    expect(res.body).not.toContain('credential');
    expect(res.json().iceServers).toEqual([{ urls: ['stun:stun.example.org'] }]);
  });

  it('are handed to a joiner in the join result, time-limited in coturn use-auth-secret form', async () => {
    server = await startServer({ config: { ...TURN, ICE_SERVERS: STATIC, TURN_TTL_SEC: '3600' } });
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const c = await WsClient.open(server.wsUrl);
    const before = Math.floor(Date.now() / 1000);
    const r = await c.request<{ participantId: string; iceServers: { urls: string[]; username?: string; credential?: string }[] }>('join', {
      meetingId: m.id,
      displayName: 'Ann',
    });
    const turn = r.iceServers.find((s) => s.urls.includes('turns:turn.example.org:5349'));
    expect(turn?.urls).toEqual(['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349']);
    const [expiry, id] = (turn?.username ?? '').split(':');
    expect(id).toBe(r.participantId);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 3600);
    expect(Number(expiry)).toBeLessThanOrEqual(before + 3600 + 5);
    expect(turn?.credential).toBe(
      createHmac('sha1', TURN.TURN_SECRET)
        .update(turn?.username ?? '')
        .digest('base64'),
    );
    // Static entries the operator configured still reach joiners.
    expect(r.iceServers).toContainEqual({ urls: ['turn:legacy.example.org'], username: 'u', credential: 'static-secret' });
    c.close();
  });

  it('refuses a TURN_SECRET without TURN_URLS, and the reverse', async () => {
    await expect(startServer({ config: { TURN_SECRET: TURN.TURN_SECRET } })).rejects.toThrow(/TURN_URLS/);
    await expect(startServer({ config: { TURN_URLS: TURN.TURN_URLS } })).rejects.toThrow(/TURN_SECRET/);
  });
});

describe('/metrics', () => {
  const get = (s: TestServer, remoteAddress: string, headers: Record<string, string> = {}) =>
    s.app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

  it('without METRICS_TOKEN, answers only a direct loopback connection, not one through a proxy', async () => {
    server = await startServer();
    expect((await get(server, '203.0.113.5')).statusCode).toBe(403);
    expect((await get(server, '127.0.0.1', { 'x-forwarded-for': '203.0.113.5' })).statusCode).toBe(403);
    const local = await get(server, '127.0.0.1');
    expect(local.statusCode).toBe(200);
    expect(local.body).toContain('parley_live_participants');
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200); // a scraper on this machine
  });

  it('with METRICS_TOKEN, answers the bearer of the token from anywhere, and nobody else', async () => {
    server = await startServer({ config: { METRICS_TOKEN: 'scrape-token-0123456789abcdef' } });
    expect((await get(server, '203.0.113.5', { authorization: 'Bearer scrape-token-0123456789abcdef' })).statusCode).toBe(200);
    expect((await get(server, '203.0.113.5', { authorization: 'Bearer scrape-token-0123456789abcdeX' })).statusCode).toBe(401);
    expect((await get(server, '203.0.113.5')).statusCode).toBe(401);
    expect((await get(server, '127.0.0.1')).statusCode).toBe(401);
  });
});
