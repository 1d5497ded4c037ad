/**
 * A compliance user cannot freeze the node with a demand's title pattern (issue 10, item 5):
 * patterns match in linear time, and the number of `*` is capped at the boundary.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMeeting, type WsClient } from '../helpers/app.js';
import { demandBody, multipart, openFrom, operator, PDF, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

let server: PolicyTestServer;
const clients: WsClient[] = [];
beforeEach(async () => {
  server = await startPolicyServer();
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

async function postDemand(cookie: string, titlePattern: string) {
  const body = demandBody([], { targets: { meetings: [], accounts: [], titlePattern } });
  const mp = multipart({ demand: JSON.stringify(body) }, { name: 'document', filename: 'order.pdf', type: 'application/pdf', bytes: PDF });
  return server.app.inject({ method: 'POST', url: '/api/demands', headers: { cookie, ...mp.headers }, payload: mp.payload });
}

describe('demand title patterns', () => {
  it('previews a backtracking-shaped pattern against a live meeting in well under a second', async () => {
    const host = await operator(server, []);
    // `*a*a*…*b` against "aaa…a" took 2 s for 30 characters as a regex (11 s for 40).
    const m = await createMeeting(server, host.cookie, { title: 'a'.repeat(34) });
    const c = await openFrom(server.wsUrl, '127.0.0.2');
    clients.push(c);
    expect((await c.send('join', { meetingId: m.id, displayName: 'Li' })).ok).toBe(true);
    const compliance = await operator(server, ['compliance']);
    const approver = await operator(server, ['approver']);
    const res = await postDemand(compliance.cookie, `*${'a*'.repeat(9)}b`);
    expect(res.statusCode).toBe(201);
    const id = res.json<{ demand: { id: number } }>().demand.id;
    const t0 = performance.now();
    const preview = await server.app.inject({ method: 'GET', url: `/api/demands/${id}/preview`, headers: { cookie: approver.cookie } });
    const ms = performance.now() - t0;
    expect(preview.statusCode).toBe(200);
    expect(ms).toBeLessThan(500);
  });

  it('refuses a pattern with more than 16 "*" with a validation error that says so', async () => {
    const compliance = await operator(server, ['compliance']);
    const res = await postDemand(compliance.cookie, `*${'a*'.repeat(16)}b`);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_FAILED');
    expect(res.body).toContain('at most 16');
    expect((await postDemand(compliance.cookie, `*${'a*'.repeat(15)}b`)).statusCode).toBe(201);
  });
});

describe('demand documents', () => {
  it.each(['constructor', '__proto__', 'tostring'])('refuses a document whose type is the Object.prototype name %s', async (type) => {
    const compliance = await operator(server, ['compliance']);
    const mp = multipart({ demand: JSON.stringify(demandBody([])) }, { name: 'document', filename: 'order.pdf', type, bytes: PDF });
    const res = await server.app.inject({ method: 'POST', url: '/api/demands', headers: { cookie: compliance.cookie, ...mp.headers }, payload: mp.payload });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_FAILED');
  });
});
