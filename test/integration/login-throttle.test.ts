/**
 * Password guessing against operator accounts is bounded (issue 10, item 5): logins are
 * throttled per account (from any number of addresses) as well as per address, and an IPv6
 * client is one address per /64.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signUp, startServer, type TestServer } from '../helpers/app.js';

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

const login = (remoteAddress: string, email: string, password: string) =>
  server.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { email, password } });

describe('login throttling', () => {
  it('backs off an account after 5 wrong passwords from different addresses, even for the right one, and leaves other accounts alone', async () => {
    const target = await signUp(server, { email: 'approver@example.org', password: 'correct horse battery' });
    const other = await signUp(server, { email: 'other@example.org', password: 'correct horse battery' });
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push((await login(`203.0.113.${i}`, target.email, `guess ${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const locked = await login('203.0.113.50', target.email, 'correct horse battery');
    expect([locked.statusCode, locked.json().error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(locked.json().error.details).toMatchObject({ retryAfterSec: expect.any(Number) });
    // The same for an address that has never guessed: the limit is the account's.
    expect((await login('203.0.113.51', 'APPROVER@example.org ', 'x')).statusCode).toBe(429);
    expect((await login('203.0.113.52', other.email, 'correct horse battery')).statusCode).toBe(200);
  });

  it('counts every address in one IPv6 /64 as one address', async () => {
    // All at once, so the per-address bucket (a burst of 10, then one a second) cannot refill.
    const tries = Array.from({ length: 20 }, (_, i) => login(`2001:db8:1:2::${(i + 1).toString(16)}`, `nobody-${i}@example.org`, 'x'));
    const statuses = (await Promise.all(tries)).map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(11);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9);
    // Another /64 has its own budget.
    expect((await login('2001:db8:1:3::1', 'nobody@example.org', 'x')).statusCode).toBe(401);
  });
});
