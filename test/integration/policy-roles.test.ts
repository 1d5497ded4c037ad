/** Every policy endpoint checks its role; each test tries to cross one boundary and changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeeting } from '../helpers/app.js';
import { demandBody, logEntries, operator, recordDemand, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

let server: PolicyTestServer;
type Op = Awaited<ReturnType<typeof operator>>;
let users: Record<'anonymous' | 'participant' | 'host' | 'admin' | 'compliance' | 'approver' | 'auditor', Op | null>;
let meetingId: string;
let demandId: number;

beforeAll(async () => {
  server = await startPolicyServer();
  users = {
    anonymous: null,
    participant: await operator(server, []),
    host: await operator(server, []),
    admin: await operator(server, ['admin']),
    compliance: await operator(server, ['compliance']),
    approver: await operator(server, ['approver']),
    auditor: await operator(server, ['auditor']),
  };
  meetingId = (await createMeeting(server, users.host!.cookie)).id;
  demandId = await recordDemand(server, users.compliance!.cookie, demandBody([meetingId]));
});
afterAll(async () => {
  await server.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, who: Op | null, payload?: unknown) =>
  server.app.inject({ method, url, headers: who ? { cookie: who.cookie } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

type Who = keyof typeof users;
const ALL: Who[] = ['anonymous', 'participant', 'host', 'admin', 'compliance', 'approver', 'auditor'];
const expectFor = (who: Who, allowed: Who[]) => (allowed.includes(who) ? 'allowed' : who === 'anonymous' ? 401 : 403);

const restriction = { mode: 'block', countries: ['CN'], unknown: 'allow' };
const READ: Who[] = ['admin', 'compliance', 'approver', 'auditor'];
const endpoints: { name: string; method: 'GET' | 'POST' | 'PUT'; url: () => string; allowed: Who[]; body?: () => unknown; mutates?: boolean }[] = [
  { name: 'list demands', method: 'GET', url: () => '/api/demands', allowed: READ },
  { name: 'read a demand', method: 'GET', url: () => `/api/demands/${demandId}`, allowed: READ },
  // Counts a demand has not yet earned: the second person only (issue 11), logged.
  { name: 'preview a demand', method: 'GET', url: () => `/api/demands/${demandId}/preview`, allowed: ['approver'] },
  { name: 'record a demand', method: 'POST', url: () => '/api/demands', allowed: ['compliance'], body: () => demandBody([meetingId]), mutates: true },
  { name: 'approve', method: 'POST', url: () => `/api/demands/${demandId}/approve`, allowed: ['approver'], mutates: true },
  { name: 'reject', method: 'POST', url: () => `/api/demands/${demandId}/reject`, allowed: ['approver'], body: () => ({}), mutates: true },
  { name: 'lift', method: 'POST', url: () => `/api/demands/${demandId}/lift`, allowed: ['compliance'], body: () => ({}), mutates: true },
  { name: 'instance restrictions (read)', method: 'GET', url: () => '/api/admin/restrictions', allowed: ['admin'] },
  { name: 'instance restrictions (write)', method: 'PUT', url: () => '/api/admin/restrictions', allowed: ['admin'], body: () => restriction, mutates: true },
  { name: 'account policy (read)', method: 'GET', url: () => '/api/admin/account-policy', allowed: ['admin'] },
  { name: 'account policy (write)', method: 'PUT', url: () => '/api/admin/account-policy', allowed: ['admin'], body: () => ({ policies: [] }), mutates: true },
  {
    name: 'suspend',
    method: 'POST',
    url: () => `/api/admin/users/${users.participant!.id}/suspend`,
    allowed: ['admin'],
    body: () => ({ reason: 'x' }),
    mutates: true,
  },
  {
    name: 'verify business',
    method: 'POST',
    url: () => `/api/admin/users/${users.participant!.id}/verify-business`,
    allowed: ['admin'],
    body: () => ({}),
    mutates: true,
  },
  {
    name: 'meeting restrictions (write)',
    method: 'PUT',
    url: () => `/api/meetings/${meetingId}/restrictions`,
    allowed: ['host'],
    body: () => restriction,
    mutates: true,
  },
];

describe('role boundaries', () => {
  for (const ep of endpoints) {
    for (const who of ALL) {
      const expected = expectFor(who, ep.allowed);
      if (expected === 'allowed') continue;
      it(`refuses "${ep.name}" to ${who} with ${expected === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN'} and records nothing`, async () => {
        const before = server.log.size();
        const res = await call(ep.method, ep.url(), users[who], ep.body?.());
        if (ep.name === 'meeting restrictions (write)' && who !== 'anonymous') {
          expect(res.json().error.code).toBe('NOT_HOST');
        } else {
          expect(res.statusCode).toBe(expected);
          expect(res.json().error.code).toBe(expected === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        }
        expect(server.log.size()).toBe(before);
      });
    }
    // Allowed writes are exercised by their own tests (they would change the shared fixtures).
    for (const who of ep.mutates ? [] : ep.allowed) {
      it(`lets ${who} "${ep.name}"`, async () => {
        const res = await call(ep.method, ep.url(), users[who], ep.body?.());
        expect([200, 201]).toContain(res.statusCode);
      });
    }
  }

  it('refuses approval by the compliance user who recorded the demand even when they also hold approver', async () => {
    const both = await operator(server, ['compliance', 'approver']);
    const id = await recordDemand(server, both.cookie, demandBody([meetingId]));
    const before = server.log.size();
    const res = await call('POST', `/api/demands/${id}/approve`, both);
    expect(res.json().error.code).toBe('SELF_APPROVAL');
    expect(server.log.size()).toBe(before);
    expect((await call('GET', `/api/demands/${id}`, both)).json().demand.state).toBe('recorded');
  });

  it('lets a different approver approve, then refuses a second decision with DEMAND_STATE', async () => {
    const id = await recordDemand(server, users.compliance!.cookie, demandBody([meetingId]));
    expect((await call('POST', `/api/demands/${id}/approve`, users.approver)).statusCode).toBe(200);
    const again = await call('POST', `/api/demands/${id}/reject`, users.approver, {});
    expect(again.json().error.code).toBe('DEMAND_STATE');
    expect((await call('POST', `/api/demands/${id}/lift`, users.approver, {})).json().error.code).toBe('FORBIDDEN');
    expect((await call('POST', `/api/demands/${id}/lift`, users.compliance, {})).statusCode).toBe(200);
  });

  it('lets the host of a meeting, and only them, read and change its restrictions', async () => {
    const ok = await call('PUT', `/api/meetings/${meetingId}/restrictions`, users.host, restriction);
    expect(ok.json().restriction).toEqual(restriction);
    expect((await call('GET', `/api/meetings/${meetingId}/restrictions`, users.host)).json().restriction).toEqual(restriction);
    expect((await call('GET', `/api/meetings/${meetingId}/restrictions`, users.admin)).json().error.code).toBe('NOT_HOST');
    const mine = await call('PUT', '/api/me/restrictions', users.participant, { mode: 'allow', countries: ['HK', 'TW'], unknown: 'block' });
    expect(mine.statusCode).toBe(200);
    expect((await call('GET', '/api/me/restrictions', null)).statusCode).toBe(401);
  });

  it('has no endpoint that hands data to anyone: a pure data demand is recorded and refused', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/demands',
      headers: { cookie: users.compliance!.cookie },
      payload: demandBody([meetingId], { asks: [{ kind: 'hand-over-data', detail: 'chat logs and attendee list' }] }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().demand.state).toBe('refused');
    expect(res.json().refused.code).toBe('DATA_HANDOVER_REFUSED');
    const id = res.json().demand.id as number;
    const entries = await logEntries(server.log);
    expect(entries.find((e) => e.type === 'data-request.refused' && e.demandId === String(id))).toBeDefined();
    expect((await call('POST', `/api/demands/${id}/approve`, users.approver)).json().error.code).toBe('DEMAND_STATE');
  });
});
