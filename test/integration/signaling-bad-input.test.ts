import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../protocol/signaling.js';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';

let server: TestServer;
const clients: WsClient[] = [];
async function client(hello = true) {
  const c = await WsClient.open(server.wsUrl, {}, hello);
  clients.push(c);
  return c;
}
/** Wait for the next response message whatever its id (for frames we could not tag). */
async function nextResponse(c: WsClient) {
  const before = c.responses.size;
  await c.until(() => c.responses.size > before || c.closeCode !== null);
  return [...c.responses.values()].at(-1);
}

beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

describe('signaling under bad input', () => {
  it('answers non-JSON with BAD_REQUEST and keeps the socket open', async () => {
    const c = await client();
    c.sendRaw('{not json');
    const r = await nextResponse(c);
    expect(r && !r.ok ? r.error.code : null).toBe('BAD_REQUEST');
    expect((await c.send('ping')).ok).toBe(true);
  });

  it('answers an unknown type or missing fields with VALIDATION_FAILED, echoing the id', async () => {
    const c = await client();
    const r1 = await c.send('meeting.spy', { meetingId: 'x' });
    expect(r1.ok ? null : r1.error.code).toBe('VALIDATION_FAILED');
    const r2 = await c.send('join', { displayName: 'no meeting id' });
    expect(r2.ok ? null : r2.error.code).toBe('VALIDATION_FAILED');
    const r3 = await c.send('join', { meetingId: '../../etc', displayName: 'x' });
    expect(r3.ok ? null : r3.error.code).toBe('VALIDATION_FAILED');
  });

  it('rejects a forged role field in join (strict schema) instead of trusting it', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const c = await client();
    const r = await c.send('join', { meetingId: m.id, displayName: 'Mallory', role: 'host' });
    expect(r.ok ? null : r.error.code).toBe('VALIDATION_FAILED');
    const ok = await c.request<{ role: string }>('join', { meetingId: m.id, displayName: 'Mallory' });
    expect(ok.role).toBe('participant');
  });

  it('closes the socket with 1009 (Message Too Big) on an oversized frame, and others keep being served', async () => {
    const other = await client();
    const c = await client();
    // ws maxPayload is the protocol limit: the frame is refused as it arrives, never buffered whole.
    c.sendRaw(JSON.stringify({ type: 'chat.send', id: 'big', text: 'x'.repeat(MAX_MESSAGE_BYTES + 10) }));
    await c.until(() => c.closeCode !== null);
    expect(c.closeCode).toBe(1009);
    expect((await other.send('ping')).ok).toBe(true);
  });

  it('refuses messages out of order: join before hello, chat before join, double join', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const c = await client(false);
    const early = await c.send('join', { meetingId: m.id, displayName: 'A' });
    expect(early.ok ? null : early.error.code).toBe('OUT_OF_ORDER');
    await c.request('hello', { v: 1 });
    const chat = await c.send('chat.send', { text: 'hi' });
    expect(chat.ok ? null : chat.error.code).toBe('NOT_IN_MEETING');
    await c.request('join', { meetingId: m.id, displayName: 'A' });
    const again = await c.send('join', { meetingId: m.id, displayName: 'A' });
    expect(again.ok ? null : again.error.code).toBe('OUT_OF_ORDER');
  });

  it('refuses an unsupported protocol version and closes', async () => {
    const c = await client(false);
    const r = await c.send('hello', { v: 2 });
    expect(r.ok ? null : r.error.code).toBe('VALIDATION_FAILED');
  });

  it('rate-limits a flood with RATE_LIMITED without dropping the connection', async () => {
    const c = await client();
    const sends = Array.from({ length: 300 }, () => c.send('ping'));
    const results = await Promise.all(sends);
    const limited = results.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(0);
    expect(c.closeCode).toBeNull();
  });

  it('answers host actions on unknown participants with PARTICIPANT_NOT_FOUND', async () => {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const h = await WsClient.open(server.wsUrl, { cookie: host.cookie });
    clients.push(h);
    await h.request('join', { meetingId: m.id, displayName: 'Host' });
    const r = await h.send('host.remove', { participantId: 'nobody' });
    expect(r.ok ? null : r.error.code).toBe('PARTICIPANT_NOT_FOUND');
  });
});
