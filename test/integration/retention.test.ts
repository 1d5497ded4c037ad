/**
 * A3 (whoever holds the database or a backup): personal data is kept only as long as
 * docs/retention.md says. Rows are made through the real interfaces (sign-up, a host removal
 * over WebSocket, demands over HTTP), then the clock is moved forward and the purge job runs:
 * each kind of row is gone when its time is up, and not before.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY_MS } from '../../server/storage/index.js';
import type { WsClient } from '../helpers/app.js';
import { createMeeting } from '../helpers/app.js';
import { demandBody, logEntries, openFrom, operator, recordDemand, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

let server: PolicyTestServer;
const clients: WsClient[] = [];
beforeEach(async () => {
  server = await startPolicyServer({ config: { RETENTION_BAN_DAYS: '7', RETENTION_DEMAND_DOCUMENT_DAYS: '30' } });
});
afterEach(async () => {
  vi.useRealTimers();
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

async function join(meetingId: string, displayName: string, cookie?: string) {
  const c = await openFrom(server.wsUrl, '127.0.0.4', cookie ? { cookie } : {});
  clients.push(c);
  const r = await c.request<{ participantId: string }>('join', { meetingId, displayName, identityKey: 'a2V5LW9mLWFubg==' });
  return { c, id: r.participantId };
}

/** A meeting in which the host removed one person (so it has bans); ended or not. */
async function meetingWithBans(host: { cookie: string }, end: boolean) {
  const m = await createMeeting(server, host.cookie);
  const h = await join(m.id, 'Host', host.cookie);
  const a = await join(m.id, 'Ann');
  await h.c.request('host.remove', { participantId: a.id });
  if (end) await h.c.request('host.end');
  return m.id;
}

const db = () => server.services.storage.db;
const count = async (table: 'sessions' | 'meeting_bans' | 'demand_documents' | 'pending_commands', where?: [string, unknown]) => {
  let q = db()
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'));
  if (where) q = q.where(where[0] as never, '=', where[1] as never);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

describe('retention', () => {
  it('purges expired sessions, bans some days after their meeting ended, and demand documents after their period (the SHA-256 stays)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    const host = await operator(server, []);
    const compliance = await operator(server, ['compliance']);
    const approver = await operator(server, ['approver']);
    const ended = await meetingWithBans(host, true);
    const running = await meetingWithBans(host, false);
    const lifted = await recordDemand(server, compliance.cookie, demandBody([running]));
    const live = await recordDemand(server, compliance.cookie, demandBody([running]));
    for (const id of [lifted, live]) {
      const r = await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: approver.cookie } });
      expect(r.statusCode).toBe(200);
    }
    const lift = await server.app.inject({ method: 'POST', url: `/api/demands/${lifted}/lift`, headers: { cookie: compliance.cookie }, payload: {} });
    expect(lift.statusCode).toBe(200);
    const shaOf = async (id: number) =>
      (await db().selectFrom('demands').select('document_sha256').where('id', '=', id).executeTakeFirstOrThrow()).document_sha256;
    const liftedSha = await shaOf(lifted);
    expect(liftedSha).toMatch(/^[0-9a-f]{64}$/);

    expect(await count('sessions')).toBe(3);
    expect(await count('meeting_bans', ['meeting_id', ended])).toBeGreaterThan(0);
    expect(await count('meeting_bans', ['meeting_id', running])).toBeGreaterThan(0);
    expect(await count('demand_documents')).toBe(2);

    // A second-person request nobody decides (24 h), as the desk stores it.
    await db()
      .insertInto('pending_commands')
      .values({ id: 'stale', kind: 'role.change', summary: 's', details: '{}', requested_by: 'u', requested_at: t0, expires_at: t0 + DAY_MS })
      .execute();

    // Day 6: nothing is due yet but the undecided request.
    vi.setSystemTime(t0 + 6 * DAY_MS);
    expect(await server.services.retention.runNow()).toEqual({ sessions: 0, bans: 0, demandDocuments: 0, pendingCommands: 1 });
    expect(await count('pending_commands')).toBe(0);

    // Day 8: the ended meeting's bans are gone; the running meeting keeps its bans.
    vi.setSystemTime(t0 + 8 * DAY_MS);
    const day8 = await server.services.retention.runNow();
    expect(day8.bans).toBeGreaterThan(0);
    expect(await count('meeting_bans', ['meeting_id', ended])).toBe(0);
    expect(await count('meeting_bans', ['meeting_id', running])).toBeGreaterThan(0);
    expect(await count('sessions')).toBe(3);
    expect(await count('demand_documents')).toBe(2);

    // Day 15: the 14-day sessions have expired, and are gone (the cookie no longer works).
    vi.setSystemTime(t0 + 15 * DAY_MS);
    expect((await server.services.retention.runNow()).sessions).toBe(3);
    expect(await count('sessions')).toBe(0);
    const me = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: host.cookie } });
    expect(me.statusCode).toBe(401);

    // Day 31: the lifted demand's document is gone, its SHA-256 is still on the demand and on
    // the log; the demand still in force keeps its document.
    vi.setSystemTime(t0 + 31 * DAY_MS);
    expect((await server.services.retention.runNow()).demandDocuments).toBe(1);
    expect(await count('demand_documents', ['demand_id', lifted])).toBe(0);
    expect(await count('demand_documents', ['demand_id', live])).toBe(1);
    expect(await shaOf(lifted)).toBe(liftedSha);
    expect(JSON.stringify(await logEntries(server.log))).toContain(liftedSha ?? 'no sha');
  });
});
