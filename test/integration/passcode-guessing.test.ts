/**
 * A1 must never brute-force a passcode (issue 10, item 5): new passcodes have at least 6
 * characters, misses are limited per address and per meeting with backoff (PASSCODE_LOCKED),
 * and a passcode is an HMAC check, not a 32 MiB scrypt per guess.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/accounts/index.js';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';

let server: TestServer;
const clients: WsClient[] = [];
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

async function from(address: string): Promise<WsClient> {
  const c = await WsClient.open(server.wsUrl, {}, true, address);
  clients.push(c);
  return c;
}
const joinWith = (c: WsClient, meetingId: string, passcode: string) => c.send('join', { meetingId, displayName: 'Guess', passcode });
const codeOf = (r: Awaited<ReturnType<WsClient['send']>>) => (r.ok ? 'ok' : r.error.code);
const storedHash = async (id: string) =>
  (await server.services.storage.db.selectFrom('meetings').select('passcode_hash').where('id', '=', id).executeTakeFirstOrThrow()).passcode_hash;

describe('meeting passcodes', () => {
  it('refuses new passcodes shorter than 6 characters, on create and on change', async () => {
    const host = await signUp(server);
    const short = await server.app.inject({
      method: 'POST',
      url: '/api/meetings',
      headers: { cookie: host.cookie },
      payload: { title: 'Vigil', passcode: '06041' },
    });
    expect([short.statusCode, short.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(short.body).toContain('at least 6');
    const m = await createMeeting(server, host.cookie, { passcode: '060489' });
    const patch = await server.app.inject({ method: 'PATCH', url: `/api/meetings/${m.id}`, headers: { cookie: host.cookie }, payload: { passcode: '1989' } });
    expect(patch.statusCode).toBe(400);
  });

  it('stores a new passcode as an HMAC, not a scrypt hash', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie, { passcode: '060489' });
    expect(await storedHash(m.id)).toMatch(/^hmac-sha256\$/);
  });

  it('keeps a 4-character passcode of an existing meeting, and re-stores its scrypt hash as HMAC on the first right answer', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    // As a meeting created before this change was stored.
    await server.services.storage.db
      .updateTable('meetings')
      .set({ passcode_hash: await hashPassword('0604') })
      .where('id', '=', m.id)
      .execute();
    expect(codeOf(await joinWith(await from('127.0.0.2'), m.id, '1111'))).toBe('WRONG_PASSCODE');
    expect(codeOf(await joinWith(await from('127.0.0.2'), m.id, '0604'))).toBe('ok');
    expect(await storedHash(m.id)).toMatch(/^hmac-sha256\$/);
    expect(codeOf(await joinWith(await from('127.0.0.3'), m.id, '0604'))).toBe('ok');
    expect(codeOf(await joinWith(await from('127.0.0.3'), m.id, '0605'))).toBe('WRONG_PASSCODE');
  });

  it('locks out an address after 5 misses, even for the right passcode, and says when to retry', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie, { passcode: '060489' });
    const c = await from('127.0.0.2');
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push(codeOf(await joinWith(c, m.id, `00000${i}`)));
    expect(codes).toEqual(['WRONG_PASSCODE', 'WRONG_PASSCODE', 'WRONG_PASSCODE', 'WRONG_PASSCODE', 'WRONG_PASSCODE', 'PASSCODE_LOCKED']);
    const locked = await joinWith(c, m.id, '060489');
    expect(locked.ok ? null : locked.error).toMatchObject({ code: 'PASSCODE_LOCKED', details: { retryAfterSec: expect.any(Number) } });
    // Someone else, from another address, is not locked out by this one.
    expect(codeOf(await joinWith(await from('127.0.0.3'), m.id, '060489'))).toBe('ok');
  });

  it('locks the meeting after 20 misses from many addresses', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie, { passcode: '060489' });
    for (let a = 2; a <= 6; a++) {
      const c = await from(`127.0.0.${a}`);
      for (let i = 0; i < 4; i++) expect(codeOf(await joinWith(c, m.id, `1${a}${i}000`))).toBe('WRONG_PASSCODE');
    }
    expect(codeOf(await joinWith(await from('127.0.0.7'), m.id, '060489'))).toBe('PASSCODE_LOCKED');
    // The host is never locked out of their own meeting.
    const h = await WsClient.open(server.wsUrl, { cookie: host.cookie });
    clients.push(h);
    expect(codeOf(await h.send('join', { meetingId: m.id, displayName: 'Host' }))).toBe('ok');
  });
});
