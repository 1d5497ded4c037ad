/** Country restrictions, account policy per jurisdiction, and admin suspension, through the server. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WsClient } from '../helpers/app.js';
import { createMeeting } from '../helpers/app.js';
import { logEntries, openFrom, operator, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

const CN = '127.0.0.2';
const HK = '127.0.0.3';
const US = '127.0.0.4';
const UNKNOWN = '127.0.0.9';

let server: PolicyTestServer;
const clients: WsClient[] = [];
async function join(from: string, meetingId: string, name: string, cookie?: string) {
  const c = await openFrom(server.wsUrl, from, cookie ? { cookie } : {});
  clients.push(c);
  return { c, r: await c.send('join', { meetingId, displayName: name }) };
}
/** Issue 11: the command waits for a second admin; approve it as one. */
async function approveAsSecondAdmin(res: { json: () => unknown }) {
  const second = await operator(server, ['admin']);
  const id = (res.json() as { pending: { id: string } }).pending.id;
  const ok = await server.app.inject({ method: 'POST', url: `/api/admin/approvals/${id}/approve`, headers: { cookie: second.cookie } });
  expect(ok.statusCode).toBe(200);
}
beforeEach(async () => {
  server = await startPolicyServer({ geoTestMap: '127.0.0.2=CN,127.0.0.3=HK,127.0.0.4=US,127.0.0.1=US' });
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

describe('country restrictions', () => {
  it('applies a meeting "block" setting to people already inside and to later joins, logging the change first', async () => {
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    const cn = await join(CN, m.id, 'Li');
    const hk = await join(HK, m.id, 'Chan');
    const put = await server.app.inject({
      method: 'PUT',
      url: `/api/meetings/${m.id}/restrictions`,
      headers: { cookie: host.cookie },
      payload: { mode: 'block', countries: ['CN'], unknown: 'allow' },
    });
    expect(put.statusCode).toBe(200);
    expect((await cn.c.waitEvent('you.removed')).data).toEqual({ kind: 'location', country: 'CN' });
    expect(hk.c.event('you.removed')).toBeUndefined();
    const again = await join(CN, m.id, 'Li');
    expect(again.r.ok ? null : again.r.error).toMatchObject({ code: 'LOCATION_RESTRICTED', details: { kind: 'location', country: 'CN' } });
    expect((await join(UNKNOWN, m.id, 'Anon')).r.ok).toBe(true);
    const change = (await logEntries(server.log)).find((e) => e.type === 'restriction.changed');
    expect(change).toMatchObject({ scope: 'meeting', mode: 'block', countries: ['CN'], unknown: 'allow' });
    // No demand is involved: nothing is recorded as a legal enforcement.
    expect((await logEntries(server.log)).some((e) => String(e.type).startsWith('enforcement.'))).toBe(false);
  });

  it('"allow only" at the host account level admits only listed countries, and unknown locations as chosen', async () => {
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    await server.app.inject({
      method: 'PUT',
      url: '/api/me/restrictions',
      headers: { cookie: host.cookie },
      payload: { mode: 'allow', countries: ['US', 'HK'], unknown: 'block' },
    });
    expect((await join(HK, m.id, 'Chan')).r.ok).toBe(true);
    expect((await join(US, m.id, 'Sam')).r.ok).toBe(true);
    const cn = await join(CN, m.id, 'Li');
    expect(cn.r.ok ? null : cn.r.error.code).toBe('LOCATION_RESTRICTED');
    const anon = await join(UNKNOWN, m.id, 'Anon');
    expect(anon.r.ok ? null : anon.r.error.details).toEqual({ kind: 'location' });
  });

  it('an instance-wide restriction set by the admin applies to every meeting', async () => {
    const admin = await operator(server, ['admin']);
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    const hk = await join(HK, m.id, 'Chan');
    const put = await server.app.inject({
      method: 'PUT',
      url: '/api/admin/restrictions',
      headers: { cookie: admin.cookie },
      payload: { mode: 'block', countries: ['HK'], unknown: 'allow' },
    });
    // It waits for a second admin (docs/powers.md).
    expect(put.statusCode).toBe(202);
    const second = await operator(server, ['admin']);
    const ok = await server.app.inject({
      method: 'POST',
      url: `/api/admin/approvals/${put.json<{ pending: { id: string } }>().pending.id}/approve`,
      headers: { cookie: second.cookie },
    });
    expect(ok.statusCode).toBe(200);
    expect((await hk.c.waitEvent('you.removed')).data).toEqual({ kind: 'location', country: 'HK' });
    expect((await join(US, m.id, 'Sam')).r.ok).toBe(true);
  });
});

describe('account policy per jurisdiction', () => {
  it('disables individual sign-up from CN, lets a business sign up unverified, hosting only after verification', async () => {
    const admin = await operator(server, ['admin']);
    const put = await server.app.inject({
      method: 'PUT',
      url: '/api/admin/account-policy',
      headers: { cookie: admin.cookie },
      payload: { policies: [{ country: 'CN', individualSignupDisabled: true, businessRequiresVerification: true }] },
    });
    // It refuses sign-ups from a country: it waits for a second admin (docs/powers.md).
    expect(put.statusCode).toBe(202);
    await approveAsSecondAdmin(put);
    const entry = (await logEntries(server.log)).find((e) => e.type === 'account-policy.changed');
    expect(entry).toMatchObject({ jurisdiction: 'CN', restrictedAccountTypes: ['individual'], businessVerificationRequired: true, demandId: null });

    const signup = (from: string, accountType: string) =>
      server.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        remoteAddress: from,
        payload: { email: `${Math.random().toString(36).slice(2)}@x.org`, password: 'correct horse battery', displayName: 'A', accountType },
      });
    const ind = await signup(CN, 'individual');
    expect(ind.json().error.code).toBe('SIGNUP_RESTRICTED');
    expect((await signup(HK, 'individual')).statusCode).toBe(201);
    const biz = await signup(CN, 'business');
    expect(biz.statusCode).toBe(201);
    const bizUser = biz.json().user as { id: string; businessVerified: boolean };
    expect(bizUser.businessVerified).toBe(false);

    const u = (await server.services.accounts.getById(bizUser.id))!;
    await expect(server.policy.assertMayHost(u)).rejects.toMatchObject({ code: 'BUSINESS_VERIFICATION_REQUIRED' });
    const v = await server.app.inject({
      method: 'POST',
      url: `/api/admin/users/${bizUser.id}/verify-business`,
      headers: { cookie: admin.cookie },
      payload: {},
    });
    // Verification decides who may host: it waits for a second admin (docs/powers.md).
    expect(v.statusCode).toBe(202);
    const second = await operator(server, ['admin']);
    const ok = await server.app.inject({
      method: 'POST',
      url: `/api/admin/approvals/${v.json<{ pending: { id: string } }>().pending.id}/approve`,
      headers: { cookie: second.cookie },
    });
    expect(ok.statusCode).toBe(200);
    await expect(server.policy.assertMayHost((await server.services.accounts.getById(bizUser.id))!)).resolves.toBeUndefined();
  });

  it('suspends and reactivates an account only by admin action, logging each before it takes effect', async () => {
    const admin = await operator(server, ['admin']);
    const user = await operator(server, []);
    const s = await server.app.inject({
      method: 'POST',
      url: `/api/admin/users/${user.id}/suspend`,
      headers: { cookie: admin.cookie },
      payload: { reason: 'spam' },
    });
    expect(s.statusCode).toBe(202);
    await approveAsSecondAdmin(s);
    expect((await server.services.accounts.getById(user.id))?.status).toBe('suspended');
    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: user.cookie } })).statusCode).toBe(401);
    const r = await server.app.inject({
      method: 'POST',
      url: `/api/admin/users/${user.id}/reactivate`,
      headers: { cookie: admin.cookie },
      payload: { reason: 'appeal upheld' },
    });
    expect(r.statusCode).toBe(202);
    await approveAsSecondAdmin(r);
    expect((await server.services.accounts.getById(user.id))?.status).toBe('active');
    const types = (await logEntries(server.log)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['account.suspended', 'account.reactivated']));
    const noReason = await server.app.inject({ method: 'POST', url: `/api/admin/users/${user.id}/suspend`, headers: { cookie: admin.cookie }, payload: {} });
    expect(noReason.json().error.code).toBe('VALIDATION_FAILED');
  });
});
