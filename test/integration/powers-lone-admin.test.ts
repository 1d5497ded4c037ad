/**
 * Adversary A2 (one compelled operator, or two accounts one person controls) through the real
 * HTTP API: no side door removes, refuses, relocates or grants without a second person and a
 * log entry written first. Issue 11.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedDatabases } from '../../server/geo/test-helpers.js';
import { gagCommitmentInput } from '../../protocol/transparency.js';
import { createPolicy } from '../../server/policy/index.js';
import type { WsClient } from '../helpers/app.js';
import { createMeeting } from '../helpers/app.js';
import { demandBody, logEntries, openFrom, operator, recordDemand, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

const CN = '127.0.0.2';
const HK = '127.0.0.3';
const US = '127.0.0.4';

let server: PolicyTestServer;
const clients: WsClient[] = [];
async function join(from: string, meetingId: string, name: string) {
  const c = await openFrom(server.wsUrl, from);
  clients.push(c);
  return { c, r: await c.send('join', { meetingId, displayName: name }) };
}
function call(method: 'GET' | 'PUT' | 'POST', url: string, cookie: string, payload?: unknown) {
  return server.app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}
const pendingId = (res: { json: () => unknown }) => (res.json() as { pending: { id: string } }).pending.id;
const types = async () => (await logEntries(server.log)).map((e) => e.type);

beforeEach(async () => {
  server = await startPolicyServer();
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

describe('instance country restrictions', () => {
  it('one admin alone cannot remove anyone with an instance restriction; a second admin can, and each removal is logged first', async () => {
    const a = await operator(server, ['admin']);
    const b = await operator(server, ['admin']);
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    const cn = await join(CN, m.id, 'Li');
    const hk = await join(HK, m.id, 'Chan');
    const put = await call('PUT', '/api/admin/restrictions', a.cookie, { mode: 'block', countries: ['CN', 'HK', 'TW'], unknown: 'block' });
    expect(put.statusCode).toBe(202);
    const id = pendingId(put);
    await new Promise((r) => setTimeout(r, 50));
    expect(cn.c.event('you.removed')).toBeUndefined();
    expect(await types()).not.toContain('restriction.changed');
    expect((await join(CN, m.id, 'Li again')).r.ok).toBe(true);
    // The requester cannot be the second person.
    const self = await call('POST', `/api/admin/approvals/${id}/approve`, a.cookie);
    expect(self.statusCode).toBe(403);
    expect(self.json()).toMatchObject({ error: { code: 'SELF_APPROVAL' } });
    // Nor can a non-admin.
    expect((await call('POST', `/api/admin/approvals/${id}/approve`, host.cookie)).statusCode).toBe(403);
    const ok = await call('POST', `/api/admin/approvals/${id}/approve`, b.cookie);
    expect(ok.statusCode).toBe(200);
    expect((await cn.c.waitEvent('you.removed')).data).toEqual({ kind: 'location', country: 'CN' });
    expect((await hk.c.waitEvent('you.removed')).data).toEqual({ kind: 'location', country: 'HK' });
    const log = await logEntries(server.log);
    const changed = log.findIndex((e) => e.type === 'restriction.changed');
    expect(log[changed]).toMatchObject({ scope: 'instance', mode: 'block', countries: ['CN', 'HK', 'TW'] });
    expect(typeof log[changed]?.['approvedBy']).toBe('string');
    expect(log[changed]?.['approvedBy']).not.toBe(log[changed]?.['by']);
    const removed = log.filter((e) => e.type === 'restriction.removed');
    expect(removed.map((e) => (e['evidence'] as { country: string }).country).sort()).toEqual(['CN', 'CN', 'HK']);
    for (const e of removed) expect(e['participant']).toMatch(/^p_[a-z2-7]{16}$/);
    expect(log.findIndex((e) => e.type === 'restriction.removed')).toBeGreaterThan(changed);
  });

  it('an "allow nothing" instance restriction by one admin empties no meeting', async () => {
    const a = await operator(server, ['admin']);
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    const us = await join(US, m.id, 'Sam');
    const put = await call('PUT', '/api/admin/restrictions', a.cookie, { mode: 'allow', countries: [], unknown: 'block' });
    expect(put.statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 50));
    expect(us.c.event('you.removed')).toBeUndefined();
    expect((await join(US, m.id, 'Sam 2')).r.ok).toBe(true);
  });

  it('a restriction change that changes nothing writes nothing, for any signed-in user', async () => {
    const host = await operator(server, []);
    const before = server.log.size();
    for (let i = 0; i < 5; i++) {
      const r = await call('PUT', '/api/me/restrictions', host.cookie, { mode: 'block', countries: [], unknown: 'allow' });
      expect(r.statusCode).toBe(200);
    }
    expect(server.log.size()).toBe(before);
  });

  it('host restriction changes are rate-limited', async () => {
    const host = await operator(server, []);
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await call('PUT', '/api/me/restrictions', host.cookie, { mode: 'block', countries: [i % 2 ? 'CN' : 'HK'], unknown: 'allow' });
      codes.push(r.statusCode);
    }
    expect(codes).toContain(429);
  });
});

describe('role grants', () => {
  it('one admin alone cannot give anyone a role; the grant waits for a second admin and is logged before it takes effect', async () => {
    const a = await operator(server, ['admin']);
    const b = await operator(server, ['admin']);
    const x = await operator(server, []);
    const put = await call('PUT', `/api/admin/users/${x.id}/roles`, a.cookie, { roles: ['compliance'] });
    expect(put.statusCode).toBe(202);
    expect((await call('GET', '/api/auth/me', x.cookie)).json()).toMatchObject({ user: { roles: [] } });
    expect((await call('POST', `/api/admin/approvals/${pendingId(put)}/approve`, a.cookie)).statusCode).toBe(403);
    expect((await call('POST', `/api/admin/approvals/${pendingId(put)}/approve`, b.cookie)).statusCode).toBe(200);
    expect((await call('GET', '/api/auth/me', x.cookie)).json()).toMatchObject({ user: { roles: ['compliance'] } });
    const role = (await logEntries(server.log)).find((e) => e.type === 'role.changed');
    expect(role).toMatchObject({ granted: ['compliance'], revoked: [] });
    expect(role?.['account']).toMatch(/^o_/);
  });

  it('a lone admin with any sequence of documented calls cannot get a CN participant removed', async () => {
    const a = await operator(server, ['admin']);
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    const cn = await join(CN, m.id, 'Li');
    const x = await operator(server, []);
    const y = await operator(server, []);
    // Give the sock puppets the two roles, approve, record, restrict: every path.
    const ids: string[] = [];
    for (const [who, roles] of [
      [x, ['compliance']],
      [y, ['approver']],
      [a, ['admin', 'compliance', 'approver']],
      [x, ['admin']],
    ] as const) {
      const r = await call('PUT', `/api/admin/users/${who.id}/roles`, a.cookie, { roles });
      if (r.statusCode === 202) ids.push(pendingId(r));
    }
    const r2 = await call('PUT', '/api/admin/restrictions', a.cookie, { mode: 'block', countries: ['CN'], unknown: 'allow' });
    if (r2.statusCode === 202) ids.push(pendingId(r2));
    for (const id of ids) for (const who of [a, x, y]) await call('POST', `/api/admin/approvals/${id}/approve`, who.cookie);
    const rec = await call('POST', '/api/demands', x.cookie, demandBody([m.id]));
    if (rec.statusCode === 201) {
      const d = rec.json<{ demand: { id: number } }>().demand.id;
      await call('POST', `/api/demands/${d}/approve`, y.cookie);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(cn.c.event('you.removed')).toBeUndefined();
    expect((await call('GET', '/api/auth/me', x.cookie)).json()).toMatchObject({ user: { roles: [] } });
  });

  it('an account the requester got a role for cannot be the second person on the requester’s commands or demands', async () => {
    const a = await operator(server, ['admin', 'compliance']);
    const b = await operator(server, ['admin']);
    const sock = await operator(server, []);
    // A real second admin (b) is persuaded once to make a's second account an admin and an approver.
    const g = await call('PUT', `/api/admin/users/${sock.id}/roles`, a.cookie, { roles: ['admin', 'approver'] });
    expect((await call('POST', `/api/admin/approvals/${pendingId(g)}/approve`, b.cookie)).statusCode).toBe(200);
    // Now a and the sock try to act as two people.
    const x = await operator(server, []);
    const g2 = await call('PUT', `/api/admin/users/${x.id}/roles`, a.cookie, { roles: ['compliance'] });
    const linked = await call('POST', `/api/admin/approvals/${pendingId(g2)}/approve`, sock.cookie);
    expect(linked.statusCode).toBe(403);
    expect(linked.json()).toMatchObject({ error: { code: 'LINKED_APPROVAL' } });
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    const cn = await join(CN, m.id, 'Li');
    const d = await recordDemand(server, a.cookie, demandBody([m.id]));
    const ap = await call('POST', `/api/demands/${d}/approve`, sock.cookie);
    expect(ap.statusCode).toBe(403);
    expect(ap.json()).toMatchObject({ error: { code: 'LINKED_APPROVAL' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(cn.c.event('you.removed')).toBeUndefined();
  });
});

describe('demand preview', () => {
  it('an auditor cannot preview; an approver sees counts only (no titles, no pattern-matched meeting ids, no email resolution), and the preview is logged', async () => {
    const comp = await operator(server, ['compliance']);
    const appr = await operator(server, ['approver']);
    const aud = await operator(server, ['auditor']);
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie, { title: 'June 4th memorial' });
    await join(CN, m.id, 'Li');
    const d = await recordDemand(
      server,
      comp.cookie,
      demandBody([], { targets: { meetings: [], accounts: [host.email, 'nobody@example.org'], titlePattern: '*' } }),
    );
    expect((await call('GET', `/api/demands/${d}/preview`, aud.cookie)).statusCode).toBe(403);
    const res = await call('GET', `/api/demands/${d}/preview`, appr.cookie);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).not.toContain(m.id);
    expect(body).not.toContain('memorial');
    expect(body).not.toContain(host.email);
    expect(body).not.toContain('nobody@example.org');
    const previewed = (await logEntries(server.log)).find((e) => e.type === 'demand.previewed');
    expect(previewed).toMatchObject({ demandId: String(d) });
    // The demand view does not say which emails resolved to accounts.
    const view = (await call('GET', `/api/demands/${d}`, aud.cookie)).body;
    expect(view).not.toContain('nobody@example.org');
    expect(view).not.toContain(host.id);
  });

  it('a demand that is no longer awaiting approval cannot be previewed', async () => {
    const comp = await operator(server, ['compliance']);
    const appr = await operator(server, ['approver']);
    const d = await recordDemand(server, comp.cookie, demandBody(['m-1']));
    expect((await call('POST', `/api/demands/${d}/approve`, appr.cookie)).statusCode).toBe(200);
    expect((await call('GET', `/api/demands/${d}/preview`, appr.cookie)).statusCode).toBe(409);
  });
});

describe('gag', () => {
  it('while a gag runs, the public log and the participant notice carry neither the authority, the reference nor a look-up-able demand id', async () => {
    const comp = await operator(server, ['compliance']);
    const appr = await operator(server, ['approver']);
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    const cn = await join(CN, m.id, 'Li');
    const body = demandBody([m.id], { gag: { until: Date.now() + 86_400_000 } });
    const d = await recordDemand(server, comp.cookie, body);
    expect((await call('POST', `/api/demands/${d}/approve`, appr.cookie)).statusCode).toBe(200);
    const notice = (await cn.c.waitEvent('you.removed')).data as Record<string, unknown>;
    // entryIndex (issue 13): the person's receipt, an entry of the public log, which names no authority under the gag either.
    expect(notice).toEqual({ kind: 'legal', jurisdiction: 'CN', entryIndex: expect.any(Number) });
    const own = (await logEntries(server.log))[notice['entryIndex'] as number];
    expect(own?.type).toBe('enforcement.removed');
    expect(JSON.stringify(own)).not.toContain(String(body['authority']));
    const recorded = (await logEntries(server.log)).find((e) => e.type === 'demand.recorded');
    const text = JSON.stringify(recorded);
    expect(text).not.toContain(String(body['authority']));
    expect(text).not.toContain(String(body['reference']));
    expect(recorded?.['commitment']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when the gag ends, demand.gag-ended publishes authority, reference and basis with the salt, once, and they open the commitment', async () => {
    const comp = await operator(server, ['compliance']);
    const body = demandBody(['m-1'], { gag: { until: Date.now() + 200 } });
    const d = await recordDemand(server, comp.cookie, body);
    expect(await server.policy.publishEndedGags()).toBe(0); // still gagged
    await new Promise((r) => setTimeout(r, 250));
    expect(await server.policy.publishEndedGags()).toBe(1);
    expect(await server.policy.publishEndedGags()).toBe(0);
    // Another node (or this one after a restart) finds the entry on the log and does not repeat it.
    const other = await createPolicy({
      db: server.services.storage.db,
      log: server.log,
      meetings: server.services.meetings,
      accounts: server.services.accounts,
      expiryCheckMs: 0,
    });
    expect(await other.publishEndedGags()).toBe(0);
    other.close();
    const log = await logEntries(server.log);
    const ended = log.filter((e) => e.type === 'demand.gag-ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ demandId: String(d), authority: body['authority'], reference: body['reference'], legalBasis: body['legalBasis'] });
    const recorded = log.find((e) => e.type === 'demand.recorded' && e['demandId'] === String(d));
    const opened = createHash('sha256')
      .update(gagCommitmentInput(ended[0] as unknown as { authority: string; legalBasis: string; reference: string; salt: string }))
      .digest('hex');
    expect(opened).toBe(recorded?.['commitment']);
  });

  it('a gag without an end date is refused', async () => {
    const comp = await operator(server, ['compliance']);
    const res = await call('POST', '/api/demands', comp.cookie, demandBody(['m-1'], { gag: { until: null } }));
    expect(res.statusCode).toBe(400);
  });
});

describe('business verification', () => {
  it('one admin alone cannot verify a business (it decides whether the account may host); the change is logged before it takes effect', async () => {
    const a = await operator(server, ['admin']);
    const b = await operator(server, ['admin']);
    const signup = await server.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: `biz-${Date.now()}@example.org`, password: 'correct horse battery', displayName: 'Biz', accountType: 'business' },
    });
    const biz = signup.json<{ user: { id: string } }>().user.id;
    const res = await call('POST', `/api/admin/users/${biz}/verify-business`, a.cookie, { verified: true });
    expect(res.statusCode).toBe(202);
    expect((await server.services.accounts.getById(biz))?.businessVerified).toBe(false);
    expect(await types()).not.toContain('account.verification-changed');
    expect((await call('POST', `/api/admin/approvals/${pendingId(res)}/approve`, a.cookie)).statusCode).toBe(403);
    expect((await call('POST', `/api/admin/approvals/${pendingId(res)}/approve`, b.cookie)).statusCode).toBe(200);
    expect((await server.services.accounts.getById(biz))?.businessVerified).toBe(true);
    expect((await logEntries(server.log)).find((e) => e.type === 'account.verification-changed')).toMatchObject({ verified: true });
  });
});

describe('location database', () => {
  it('one admin alone cannot swap it; with a second admin the new file’s SHA-256 is on the log before it is used', async () => {
    const a = await operator(server, ['admin']);
    const b = await operator(server, ['admin']);
    const path = embeddedDatabases().ipv4;
    const before = server.services.locator.info();
    const req = await call('POST', '/api/admin/geo/reload', a.cookie, { path });
    expect(req.statusCode).toBe(202);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.services.locator.info().path).toBe(before.path);
    expect(await types()).not.toContain('geo.database-changed');
    expect((await call('POST', `/api/admin/approvals/${pendingId(req)}/approve`, a.cookie)).statusCode).toBe(403);
    let loggedWhenSwapped: unknown = null;
    server.services.locator.onReload(async () => {
      loggedWhenSwapped = (await logEntries(server.log)).find((e) => e.type === 'geo.database-changed') ?? null;
    });
    expect((await call('POST', `/api/admin/approvals/${pendingId(req)}/approve`, b.cookie)).statusCode).toBe(200);
    expect(server.services.locator.info().path).toBe(path);
    const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
    await expect.poll(() => loggedWhenSwapped).toMatchObject({ sha256, trigger: 'api', database: server.services.locator.info().name });
  });
});

describe('refusals', () => {
  it('one person retrying a refused join writes one refusal entry and one host notice, not one per attempt', async () => {
    const comp = await operator(server, ['compliance']);
    const appr = await operator(server, ['approver']);
    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    await join(US, m.id, 'Sam');
    const d = await recordDemand(server, comp.cookie, demandBody([m.id]));
    expect((await call('POST', `/api/demands/${d}/approve`, appr.cookie)).statusCode).toBe(200);
    for (let i = 0; i < 6; i++) {
      const r = await join(CN, m.id, `Li ${i}`);
      expect(r.r.ok ? null : r.r.error.code).toBe('LEGAL_RESTRICTION');
    }
    const log = await logEntries(server.log);
    expect(log.filter((e) => e.type === 'enforcement.refused')).toHaveLength(1);
    expect(log.filter((e) => e.type === 'notice.sent' && e['to'] === 'host')).toHaveLength(1);
  });
});

describe('least impact by construction', () => {
  it('policy holds a frozen port with only survey, remove-with-notice and host notices: no way to end a meeting', () => {
    const port = server.policy.enforcementPort();
    expect(port).not.toBeNull();
    expect(Object.isFrozen(port)).toBe(true);
    expect(Object.keys(port!).sort()).toEqual([
      'hostOf',
      'listParticipants',
      'liveMeetingIds',
      'notifyHosts',
      'removeForPolicy',
      'removeManyForPolicy',
      'survey',
    ]);
    expect('endRoom' in port!).toBe(false);
    expect(port).not.toBe(server.services.rooms);
  });
});
