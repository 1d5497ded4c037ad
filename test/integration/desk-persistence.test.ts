/**
 * The second-person desk survives a restart and is shared by every server over one database
 * (issue 11): a command requested before a restart is approved after it, once, with its entry
 * written before its effect; a role-grant link made before a restart still refuses the sock
 * puppet after it; two servers over one database see and decide the same commands.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logEntries, operator, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

let dir = '';
let file = '';
const running: PolicyTestServer[] = [];

async function start(): Promise<PolicyTestServer> {
  const s = await startPolicyServer({ sqlitePath: file });
  running.push(s);
  return s;
}
async function stop(s: PolicyTestServer): Promise<void> {
  running.splice(running.indexOf(s), 1);
  await s.close();
}
function call(s: PolicyTestServer, method: 'GET' | 'PUT' | 'POST', url: string, cookie: string, payload?: unknown) {
  return s.app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}
const count = async (s: PolicyTestServer, type: string) => (await logEntries(s.log)).filter((e) => e.type === type).length;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-desk-'));
  file = path.join(dir, 'parley.db');
});
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pending second-person commands', () => {
  it('a role grant requested before a restart is approved after it by a second admin: one role.changed, then the role', async () => {
    const first = await start();
    const a = await operator(first, ['admin']);
    const b = await operator(first, ['admin']);
    const target = await operator(first, []);
    const put = await call(first, 'PUT', `/api/admin/users/${target.id}/roles`, a.cookie, { roles: ['approver'] });
    expect(put.statusCode).toBe(202);
    const id = put.json<{ pending: { id: string } }>().pending.id;
    await stop(first);

    const second = await start(); // a new app over the same database file
    const listed = (await call(second, 'GET', '/api/admin/approvals', b.cookie)).json<{ pending: { id: string; kind: string }[] }>();
    expect(listed.pending.map((c) => [c.id, c.kind])).toEqual([[id, 'role.change']]);
    expect((await call(second, 'POST', `/api/admin/approvals/${id}/approve`, a.cookie)).json()).toMatchObject({ error: { code: 'SELF_APPROVAL' } });
    expect(await count(second, 'role.changed')).toBe(0);
    const ok = await call(second, 'POST', `/api/admin/approvals/${id}/approve`, b.cookie);
    expect(ok.statusCode).toBe(200);
    expect((await second.services.accounts.getById(target.id))?.roles).toEqual(['approver']);
    expect(await count(second, 'role.changed')).toBe(1);
    // Once: a second approval finds nothing, and nothing more is logged.
    expect((await call(second, 'POST', `/api/admin/approvals/${id}/approve`, b.cookie)).statusCode).toBe(404);
    expect(await count(second, 'role.changed')).toBe(1);
    expect((await call(second, 'GET', '/api/admin/approvals', b.cookie)).json<{ pending: unknown[] }>().pending).toEqual([]);
  });

  it('an account made an admin through the requester before a restart still cannot be their second person after it', async () => {
    const first = await start();
    const a = await operator(first, ['admin']);
    const b = await operator(first, ['admin']);
    const puppet = await operator(first, []);
    const grant = await call(first, 'PUT', `/api/admin/users/${puppet.id}/roles`, a.cookie, { roles: ['admin'] });
    expect((await call(first, 'POST', `/api/admin/approvals/${grant.json<{ pending: { id: string } }>().pending.id}/approve`, b.cookie)).statusCode).toBe(200);
    await stop(first);

    const second = await start();
    const put = await call(second, 'PUT', '/api/admin/restrictions', a.cookie, { mode: 'block', countries: ['CN'], unknown: 'allow' });
    expect(put.statusCode).toBe(202);
    const res = await call(second, 'POST', `/api/admin/approvals/${put.json<{ pending: { id: string } }>().pending.id}/approve`, puppet.cookie);
    expect(res.json()).toMatchObject({ error: { code: 'LINKED_APPROVAL' } });
    expect(await count(second, 'restriction.changed')).toBe(0);
    expect(second.policy.getRestriction('instance', '').countries).toEqual([]);
  });

  it('two servers over one database: a command requested on one is approved on the other, once', async () => {
    const one = await start();
    const two = await start();
    const a = await operator(one, ['admin']);
    const b = await operator(one, ['admin']);
    const put = await call(one, 'PUT', '/api/admin/restrictions', a.cookie, { mode: 'block', countries: ['CN'], unknown: 'allow' });
    expect(put.statusCode).toBe(202);
    const id = put.json<{ pending: { id: string } }>().pending.id;
    expect((await call(two, 'GET', '/api/admin/approvals', b.cookie)).json<{ pending: { id: string }[] }>().pending.map((c) => c.id)).toEqual([id]);
    const [x, y] = await Promise.all([
      call(two, 'POST', `/api/admin/approvals/${id}/approve`, b.cookie),
      call(one, 'POST', `/api/admin/approvals/${id}/approve`, b.cookie),
    ]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([200, 404]);
    expect(await count(two, 'restriction.changed')).toBe(1);
    expect((x.statusCode === 200 ? two : one).policy.getRestriction('instance', '').countries).toEqual(['CN']);
  });
});
