/**
 * A1 must never choose their own country with a header (issue 10, item 4). The server sits
 * behind a loopback proxy that sets X-Forwarded-For (FORWARDED_HEADER=x-forwarded-for); the
 * client adds headers of its own, which that proxy passes through.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';

const CN = '198.51.100.2';
const HK = '198.51.100.3';

let server: TestServer;
const clients: WsClient[] = [];
beforeEach(async () => {
  server = await startServer({
    config: { GEO_TEST_MAP: `${CN}=CN,${HK}=HK`, TRUSTED_PROXIES: '127.0.0.1/32', FORWARDED_HEADER: 'x-forwarded-for' },
  });
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

/** A meeting whose host blocks CN, and a join through the proxy with these headers. */
async function joinBlockedCn(headers: Record<string, string>) {
  const host = await signUp(server);
  const m = await createMeeting(server, host.cookie);
  const put = await server.app.inject({
    method: 'PUT',
    url: `/api/meetings/${m.id}/restrictions`,
    headers: { cookie: host.cookie },
    payload: { mode: 'block', countries: ['CN'], unknown: 'allow' },
  });
  expect(put.statusCode).toBe(200);
  const c = await WsClient.open(server.wsUrl, headers);
  clients.push(c);
  return c.send('join', { meetingId: m.id, displayName: 'Li' });
}

describe('forwarding headers through a trusted proxy', () => {
  it('a client-sent Forwarded header does not move a client the proxy places in CN out of it', async () => {
    const r = await joinBlockedCn({ 'x-forwarded-for': CN, forwarded: `for=${HK}` });
    expect(r.ok ? null : r.error.code).toBe('LOCATION_RESTRICTED');
  });

  it('a client-written left-most X-Forwarded-For entry does not move the client either', async () => {
    // nginx's $proxy_add_x_forwarded_for appends the real peer to what the client sent.
    const r = await joinBlockedCn({ 'x-forwarded-for': `${HK}, ${CN}` });
    expect(r.ok ? null : r.error.code).toBe('LOCATION_RESTRICTED');
  });

  it('a client-sent Forwarded header does not move a client in HK into CN', async () => {
    const r = await joinBlockedCn({ 'x-forwarded-for': HK, forwarded: `for=${CN}` });
    expect(r.ok).toBe(true);
  });

  it('the login rate-limit key cannot be refreshed per request by a header', async () => {
    // All at once, so the bucket cannot refill between them (each refused guess costs a hash).
    const guesses = Array.from({ length: 20 }, (_, n) => n + 1).map((i) =>
      server.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '127.0.0.1',
        // Each guess claims a new address in both headers; the proxy's own entry is the same.
        headers: { forwarded: `for=203.0.113.${i}`, 'x-forwarded-for': `203.0.113.${i}, ${HK}` },
        // A different account each time, so only the per-address limit can stop this.
        payload: { email: `guess-${i}@example.org`, password: 'not the password' },
      }),
    );
    const statuses = (await Promise.all(guesses)).map((r) => r.statusCode);
    // A burst of 10 per address, then one a second.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(11);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9);
  });
});
