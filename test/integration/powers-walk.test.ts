/**
 * Walks docs/powers.md through the HTTP API (issue 11). For each listed power: one person alone
 * cannot complete it where a second person is required; the second person can; and when its
 * log entry cannot be written (the log table taken away under the server) the power does not
 * take effect. Fails when a privileged route is missing from the list.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createMeeting } from '../helpers/app.js';
import { routesOf } from '../helpers/routes.js';
import { embeddedDatabases } from '../../server/geo/test-helpers.js';
import { demandBody, logEntries, operator, recordDemand, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

type Op = Awaited<ReturnType<typeof operator>>;
type Res = Awaited<ReturnType<PolicyTestServer['app']['inject']>>;
interface Ctx {
  s: PolicyTestServer;
  asker: Op;
  second: Op | null;
  v: Record<string, string>;
}
interface Power {
  /** Who asks, and who may be the second person. */
  roles: [asker: Parameters<typeof operator>[1], second: Parameters<typeof operator>[1] | null];
  prepare?(c: Ctx): Promise<void>;
  /** The request the asker makes. */
  ask(c: Ctx): Promise<Res>;
  /** The second person's step (default: approve the pending command on the desk). */
  approve?(c: Ctx, asked: Res): Promise<Res>;
  /** Whether the power has taken effect (read through the API). */
  effect(c: Ctx): Promise<boolean>;
  entry: string;
}

const call = (c: Ctx, method: 'GET' | 'PUT' | 'POST', url: string, who: Op, payload?: object) =>
  c.s.app.inject({ method, url, headers: { cookie: who.cookie }, ...(payload ? { payload } : {}) });
const deskId = (r: Res) => r.json<{ pending: { id: string } }>().pending.id;
const desk = (c: Ctx, asked: Res) => call(c, 'POST', `/api/admin/approvals/${deskId(asked)}/approve`, c.second!);
const userOf = async (c: Ctx, id: string) =>
  (await call(c, 'GET', '/api/admin/users', c.second ?? c.asker))
    .json<{ users: { id: string; roles: string[]; status: string; businessVerified: boolean }[] }>()
    .users.find((u) => u.id === id);
const demandState = async (c: Ctx) => (await call(c, 'GET', `/api/demands/${c.v['demand']}`, c.asker)).json<{ demand: { state: string } }>().demand.state;
const CN_ONLY = { mode: 'block', countries: ['CN'], unknown: 'allow' };

/** Keyed by the command as docs/powers.md writes it. */
const POWERS: Record<string, Power> = {
  'POST /api/demands': {
    roles: [['compliance'], null],
    ask: (c) => call(c, 'POST', '/api/demands', c.asker, demandBody(['m-1'])),
    effect: async (c) => (await call(c, 'GET', '/api/demands', c.asker)).json<{ demands: unknown[] }>().demands.length > 0,
    entry: 'demand.recorded',
  },
  'GET /api/demands/:id/preview': {
    roles: [['approver'], null],
    async prepare(c) {
      const comp = await operator(c.s, ['compliance']);
      c.v['demand'] = String(await recordDemand(c.s, comp.cookie, demandBody(['m-1'])));
    },
    ask: (c) => call(c, 'GET', `/api/demands/${c.v['demand']}/preview`, c.asker),
    effect: () => Promise.resolve(false), // judged from the answer: see the walk
    entry: 'demand.previewed',
  },
  'POST /api/demands/:id/approve': {
    roles: [['compliance'], ['approver']],
    async prepare(c) {
      c.v['demand'] = String(await recordDemand(c.s, c.asker.cookie, demandBody(['m-1'])));
    },
    ask: async (c) => {
      // The recorder, even holding the approver role too, cannot approve alone.
      await c.s.services.accounts.setRoles(c.asker.id, ['compliance', 'approver']);
      return call(c, 'POST', `/api/demands/${c.v['demand']}/approve`, c.asker);
    },
    approve: (c) => call(c, 'POST', `/api/demands/${c.v['demand']}/approve`, c.second!),
    effect: async (c) => (await demandState(c)) === 'approved',
    entry: 'demand.decided',
  },
  'POST /api/demands/:id/reject': {
    roles: [['compliance'], ['approver']],
    async prepare(c) {
      c.v['demand'] = String(await recordDemand(c.s, c.asker.cookie, demandBody(['m-1'])));
    },
    ask: async (c) => {
      await c.s.services.accounts.setRoles(c.asker.id, ['compliance', 'approver']);
      return call(c, 'POST', `/api/demands/${c.v['demand']}/reject`, c.asker, {});
    },
    approve: (c) => call(c, 'POST', `/api/demands/${c.v['demand']}/reject`, c.second!, {}),
    effect: async (c) => (await demandState(c)) === 'rejected',
    entry: 'demand.decided',
  },
  'POST /api/demands/:id/lift': {
    roles: [['compliance'], null],
    async prepare(c) {
      const appr = await operator(c.s, ['approver']);
      c.v['demand'] = String(await recordDemand(c.s, c.asker.cookie, demandBody(['m-1'])));
      await call(c, 'POST', `/api/demands/${c.v['demand']}/approve`, appr);
    },
    ask: (c) => call(c, 'POST', `/api/demands/${c.v['demand']}/lift`, c.asker, {}),
    effect: async (c) => (await demandState(c)) === 'lifted',
    entry: 'demand.lifted',
  },
  'POST /api/demands/:id/document': {
    roles: [['compliance'], null],
    async prepare(c) {
      const res = await call(c, 'POST', '/api/demands', c.asker, demandBody(['m-1']));
      c.v['demand'] = String(res.json<{ demand: { id: number } }>().demand.id);
    },
    ask: (c) => c.s.app.inject({ method: 'POST', url: `/api/demands/${c.v['demand']}/document`, headers: { cookie: c.asker.cookie } }),
    effect: () => Promise.resolve(false),
    entry: '',
  },
  'PUT /api/admin/restrictions': {
    roles: [['admin'], ['admin']],
    ask: (c) => call(c, 'PUT', '/api/admin/restrictions', c.asker, CN_ONLY),
    effect: async (c) =>
      (await call(c, 'GET', '/api/admin/restrictions', c.asker)).json<{ restriction: { countries: string[] } }>().restriction.countries.includes('CN'),
    entry: 'restriction.changed',
  },
  'PUT /api/me/restrictions': {
    roles: [[], null],
    ask: (c) => call(c, 'PUT', '/api/me/restrictions', c.asker, CN_ONLY),
    effect: async (c) =>
      (await call(c, 'GET', '/api/me/restrictions', c.asker)).json<{ restriction: { countries: string[] } }>().restriction.countries.includes('CN'),
    entry: 'restriction.changed',
  },
  'PUT /api/meetings/:id/restrictions': {
    roles: [[], null],
    async prepare(c) {
      c.v['meeting'] = (await createMeeting(c.s, c.asker.cookie)).id;
    },
    ask: (c) => call(c, 'PUT', `/api/meetings/${c.v['meeting']}/restrictions`, c.asker, CN_ONLY),
    effect: async (c) =>
      (await call(c, 'GET', `/api/meetings/${c.v['meeting']}/restrictions`, c.asker))
        .json<{ restriction: { countries: string[] } }>()
        .restriction.countries.includes('CN'),
    entry: 'restriction.changed',
  },
  'PUT /api/admin/users/:id/roles': {
    roles: [['admin'], ['admin']],
    async prepare(c) {
      c.v['user'] = (await operator(c.s, [])).id;
    },
    ask: (c) => call(c, 'PUT', `/api/admin/users/${c.v['user']}/roles`, c.asker, { roles: ['approver'] }),
    effect: async (c) => (await userOf(c, c.v['user']!))?.roles.includes('approver') ?? false,
    entry: 'role.changed',
  },
  'POST /api/admin/geo/reload': {
    roles: [['admin'], ['admin']],
    ask: (c) => call(c, 'POST', '/api/admin/geo/reload', c.asker, { path: embeddedDatabases().ipv4 }),
    effect: async (c) => (await call(c, 'GET', '/api/admin/geo', c.asker)).json<{ database: { path: string } }>().database.path === embeddedDatabases().ipv4,
    entry: 'geo.database-changed',
  },
  'POST /api/admin/users/:id/verify-business': {
    roles: [['admin'], ['admin']],
    async prepare(c) {
      const res = await c.s.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: {
          email: `biz-${Math.random().toString(36).slice(2)}@example.org`,
          password: 'correct horse battery',
          displayName: 'Biz',
          accountType: 'business',
        },
      });
      c.v['user'] = res.json<{ user: { id: string } }>().user.id;
    },
    ask: (c) => call(c, 'POST', `/api/admin/users/${c.v['user']}/verify-business`, c.asker, { verified: true }),
    effect: async (c) => (await userOf(c, c.v['user']!))?.businessVerified ?? false,
    entry: 'account.verification-changed',
  },
  'POST /api/admin/users/:id/suspend': {
    roles: [['admin'], ['admin']],
    async prepare(c) {
      c.v['user'] = (await operator(c.s, [])).id;
    },
    ask: (c) => call(c, 'POST', `/api/admin/users/${c.v['user']}/suspend`, c.asker, { reason: 'spam' }),
    effect: async (c) => (await userOf(c, c.v['user']!))?.status === 'suspended',
    entry: 'account.suspended',
  },
  'POST /api/admin/users/:id/reactivate': {
    roles: [['admin'], ['admin']],
    async prepare(c) {
      c.v['user'] = (await operator(c.s, [])).id;
      await c.s.services.accounts.setStatus(c.v['user'], 'suspended');
    },
    ask: (c) => call(c, 'POST', `/api/admin/users/${c.v['user']}/reactivate`, c.asker, { reason: 'appeal' }),
    effect: async (c) => (await userOf(c, c.v['user']!))?.status === 'active',
    entry: 'account.reactivated',
  },
  'PUT /api/admin/account-policy': {
    roles: [['admin'], ['admin']],
    ask: (c) =>
      call(c, 'PUT', '/api/admin/account-policy', c.asker, {
        policies: [{ country: 'CN', individualSignupDisabled: true, businessRequiresVerification: false }],
      }),
    effect: async (c) => (await call(c, 'GET', '/api/admin/account-policy', c.asker)).json<{ policies: unknown[] }>().policies.length > 0,
    entry: 'account-policy.changed',
  },
};

/** Commands in docs/powers.md that the single-node HTTP API cannot reach (cluster route, host signal). */
const NOT_HTTP_HERE = new Set(['GET /api/cluster/meetings/:id/roster', 'SIGHUP']);

function listed(): Map<string, { second: string; entry: string }> {
  const out = new Map<string, { second: string; entry: string }>();
  for (const line of readFileSync(new URL('../../docs/powers.md', import.meta.url), 'utf8').split('\n')) {
    const cells = line.split('|').map((x) => x.trim());
    const cmd = /^`([^`]+)`$/.exec(cells[2] ?? '');
    if (cmd) out.set(cmd[1]!, { second: cells[4] ?? '', entry: cells[5] ?? '' });
  }
  return out;
}

const servers: PolicyTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function context(p: Power): Promise<Ctx> {
  const s = await startPolicyServer();
  servers.push(s);
  const c: Ctx = { s, asker: await operator(s, p.roles[0]), second: p.roles[1] ? await operator(s, p.roles[1]) : null, v: {} };
  await p.prepare?.(c);
  return c;
}
/** Take the log's table away under the running server: every append from now on fails (SQLite and PostgreSQL). */
async function breakLog(s: PolicyTestServer): Promise<void> {
  await sql`ALTER TABLE log_entries RENAME TO log_entries_gone`.execute(s.services.storage.db);
}
const logged = async (c: Ctx, type: string) => (await logEntries(c.s.log)).some((e) => e.type === type);

describe('docs/powers.md', () => {
  it('lists every privileged route the server registers, and the walk knows every listed power', async () => {
    const docs = listed();
    const s = await startPolicyServer();
    servers.push(s);
    const privileged = routesOf(s.app.printRoutes({ commonPrefix: false }))
      .filter((r) => ['POST', 'PUT', 'DELETE', 'PATCH'].includes(r.method))
      .filter((r) => /^\/api\/(admin|demands)|\/restrictions$/.test(r.url) && !r.url.startsWith('/api/admin/approvals'))
      .map((r) => `${r.method} ${r.url}`);
    expect(privileged.filter((r) => !docs.has(r))).toEqual([]);
    for (const cmd of ['GET /api/demands/:id/preview', 'GET /api/cluster/meetings/:id/roster']) expect(docs.has(cmd)).toBe(true);
    expect([...docs.keys()].filter((k) => !(k in POWERS) && !NOT_HTTP_HERE.has(k))).toEqual([]);
    // A power the walk knows but the document forgot is missing from the list too.
    expect(Object.keys(POWERS).filter((k) => !docs.has(k))).toEqual([]);
  });

  for (const [cmd, p] of Object.entries(POWERS)) {
    const needsSecond = p.roles[1] !== null;
    it(`${cmd}: ${needsSecond ? 'one person alone cannot complete it; a second can' : 'one person'}, and it takes no effect when its log entry cannot be written`, async () => {
      const doc = listed().get(cmd)!;
      expect(doc.second.startsWith('none')).toBe(!needsSecond);
      if (p.entry) expect(doc.entry).toContain(p.entry);
      // 1. The path that works, with its entry.
      const c = await context(p);
      const asked = await p.ask(c);
      if (needsSecond) {
        expect([202, 403]).toContain(asked.statusCode);
        expect(await p.effect(c)).toBe(false);
        expect(await logged(c, p.entry)).toBe(false);
        if (asked.statusCode === 202) expect((await call(c, 'POST', `/api/admin/approvals/${deskId(asked)}/approve`, c.asker)).statusCode).toBe(403);
        const ok = await (p.approve ?? desk)(c, asked);
        expect(ok.statusCode).toBe(200);
        expect(await p.effect(c)).toBe(true);
      } else if (p.entry === '') {
        // Acts on nobody and writes nothing of its own (the document's hash goes on the decision).
        expect(asked.statusCode).toBeLessThan(500);
        return;
      } else {
        expect(asked.statusCode).toBeLessThan(300);
        if (cmd !== 'GET /api/demands/:id/preview') expect(await p.effect(c)).toBe(true);
      }
      expect(await logged(c, p.entry)).toBe(true);
      // 2. The same with the log unable to take the entry: no effect.
      const d = await context(p);
      let last: Res;
      if (needsSecond) {
        const again = await p.ask(d);
        await breakLog(d.s);
        last = await (p.approve ?? desk)(d, again);
      } else {
        await breakLog(d.s);
        last = await p.ask(d);
      }
      expect(last.statusCode).toBeGreaterThanOrEqual(500);
      expect(await p.effect(d)).toBe(false);
    });
  }
});
