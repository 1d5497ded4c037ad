/**
 * Invariants 1, 2 and 5 through the real server: a CN demand reaches only the participant
 * located in CN; HK and US stay, the meeting runs, the host's account is untouched.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DemandOutcome, DemandView, ImpactPreview } from '../../protocol/policy.js';
import type { WsClient } from '../helpers/app.js';
import { createMeeting } from '../helpers/app.js';
import { demandBody, logEntries, openFrom, operator, recordDemand, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

const CN = '127.0.0.2';
const HK = '127.0.0.3';
const US = '127.0.0.4';

let server: PolicyTestServer;
const clients: WsClient[] = [];
async function join(from: string, meetingId: string, displayName: string, cookie?: string) {
  const c = await openFrom(server.wsUrl, from, cookie ? { cookie } : {});
  clients.push(c);
  const r = await c.send('join', { meetingId, displayName });
  return { c, r, pid: r.ok ? (r.result as { participantId: string }).participantId : null };
}

beforeEach(async () => {
  server = await startPolicyServer();
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

async function scene() {
  const host = await operator(server, []);
  const compliance = await operator(server, ['compliance']);
  const approver = await operator(server, ['approver']);
  const a = await createMeeting(server, host.cookie, { title: 'June 4th memorial' });
  const b = await createMeeting(server, host.cookie, { title: 'Second memorial' });
  const h = await join(US, a.id, 'Host', host.cookie);
  const cn = await join(CN, a.id, 'Li');
  const hk = await join(HK, a.id, 'Chan');
  const us = await join(US, a.id, 'Sam');
  const b1 = await join(HK, b.id, 'Wong');
  const b2 = await join(US, b.id, 'Alex');
  for (const p of [h, cn, hk, us, b1, b2]) expect(p.r.ok).toBe(true);
  return { host, compliance, approver, a, b, h, cn, hk, us, b1, b2 };
}

describe('a CN demand approved by a second person', () => {
  it('removes only the participant located in CN, with the legal notice, and leaves HK, US and the host alone', async () => {
    const s = await scene();
    const id = await recordDemand(server, s.compliance.cookie, demandBody([s.a.id, s.b.id]));

    const preview = await server.app.inject({ method: 'GET', url: `/api/demands/${id}/preview`, headers: { cookie: s.approver.cookie } });
    expect(preview.statusCode).toBe(200);
    const pv = preview.json().preview;
    z.strictObject(ImpactPreview.shape).parse(pv);
    expect(pv.totals).toEqual({ inJurisdiction: 1, outsideAffected: 0 });
    expect(pv.summary).toContain('0 participants outside CN affected');
    const byId = Object.fromEntries(pv.meetings.map((m: { meetingId: string }) => [m.meetingId, m]));
    expect(byId[s.a.id]).toMatchObject({ inJurisdiction: 1, outside: 3, action: 'remove' });
    expect(byId[s.b.id]).toMatchObject({ inJurisdiction: 0, outside: 2, action: 'no action needed' });

    const res = await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: s.approver.cookie } });
    expect(res.statusCode).toBe(200);

    const removed = await s.cn.c.waitEvent('you.removed');
    // entryIndex: the entry that recorded this removal, the participant's receipt (issue 13).
    expect(removed.data).toEqual({
      kind: 'legal',
      authority: 'Beijing Municipal Public Security Bureau',
      jurisdiction: 'CN',
      demandId: id,
      entryIndex: expect.any(Number),
    });
    await s.cn.c.until(() => s.cn.c.closeCode !== null);
    expect(s.cn.c.closeCode).toBe(4451);

    const notice = await s.h.c.waitEvent('host.notice');
    expect(notice.data).toMatchObject({
      kind: 'enforcement',
      count: 1,
      jurisdiction: 'CN',
      demandId: id,
      authority: 'Beijing Municipal Public Security Bureau',
    });
    await s.h.c.waitEvent('participant.left', (d) => d.participantId === s.cn.pid);

    // Everyone else is still in, nobody else got a removal, no meeting ended.
    const live = server.services.rooms.listParticipants();
    expect(live.map((p) => p.participantId).sort()).toEqual([s.h.pid, s.hk.pid, s.us.pid, s.b1.pid, s.b2.pid].sort());
    for (const p of [s.h, s.hk, s.us, s.b1, s.b2]) {
      expect(p.c.event('you.removed')).toBeUndefined();
      expect(p.c.event('meeting.ended')).toBeUndefined();
      expect(p.c.closeCode).toBeNull();
    }
    expect(s.b1.c.event('host.notice')).toBeUndefined();
    const chat = await s.hk.c.send('chat.send', { text: 'still here' });
    expect(chat.ok).toBe(true);

    // The host's account is untouched and can still create meetings.
    expect((await server.services.accounts.getById(s.host.id))?.status).toBe('active');
    await createMeeting(server, s.host.cookie, { title: 'Next year' });

    // The record: one removal (CN), one no-action (the second meeting), notices, all pseudonymous.
    const entries = await logEntries(server.log);
    const removals = entries.filter((e) => e.type === 'enforcement.removed');
    expect(removals).toHaveLength(1);
    expect(entries[(removed.data as { entryIndex: number }).entryIndex]?.type).toBe('enforcement.removed'); // the notice names its own entry
    expect(removals[0]).toMatchObject({ demandId: String(id), jurisdiction: 'CN', evidence: { country: 'CN', database: 'test-mapping' } });
    expect(entries.filter((e) => e.type === 'enforcement.no-action')).toHaveLength(1);
    // The participant's notice is recorded in the removal entry itself; the host's as notice.sent.
    expect(removals[0]).toMatchObject({ notice: { authorityNamed: true } });
    expect(entries.filter((e) => e.type === 'notice.sent').map((e) => e.to)).toEqual(['host']);
    const recorded = entries.find((e) => e.type === 'demand.recorded') as unknown as { asked: { kind: string; performed: boolean }[] };
    expect(recorded.asked).toEqual([
      expect.objectContaining({ kind: 'end-meeting', performed: false }),
      expect.objectContaining({ kind: 'close-account', performed: false }),
      expect.objectContaining({ kind: 'block-participants', performed: true }),
    ]);
    expect(JSON.stringify(entries)).not.toContain(s.a.id);

    const detail = await server.app.inject({ method: 'GET', url: `/api/demands/${id}`, headers: { cookie: s.compliance.cookie } });
    // What the API returns is exactly the shape protocol/policy.ts defines (the web console's types).
    z.strictObject(DemandView.shape).parse(detail.json().demand);
    z.array(z.strictObject(DemandOutcome.shape)).parse(detail.json().outcomes);
    expect(detail.json().outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ meetingId: s.a.id, outcome: 'removed', count: 1 }),
        expect.objectContaining({ meetingId: s.b.id, outcome: 'no-action', count: 0 }),
      ]),
    );

    // Later joins: CN refused with LEGAL_RESTRICTION, HK and US admitted.
    const late = await join(CN, s.a.id, 'Li again');
    expect(late.r.ok ? null : late.r.error).toMatchObject({ code: 'LEGAL_RESTRICTION', details: { kind: 'legal', jurisdiction: 'CN', demandId: id } });
    expect((await join(HK, s.a.id, 'Ho')).r.ok).toBe(true);
    expect((await join(US, s.b.id, 'Pat')).r.ok).toBe(true);
    expect((await logEntries(server.log)).filter((e) => e.type === 'enforcement.refused')).toHaveLength(1);
  });

  it('gives a notice without the authority while a recorded gag is in force', async () => {
    const s = await scene();
    // A gag must end (issue 11); while it runs the notice names neither the authority nor the demand.
    const id = await recordDemand(server, s.compliance.cookie, demandBody([s.a.id], { gag: { until: Date.now() + 86_400_000 } }));
    await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: s.approver.cookie } });
    const removed = await s.cn.c.waitEvent('you.removed');
    expect(removed.data).toEqual({ kind: 'legal', jurisdiction: 'CN', entryIndex: expect.any(Number) });
    const notice = await s.h.c.waitEvent('host.notice');
    expect((notice.data as { authority?: string }).authority).toBeUndefined();
    const late = await join(CN, s.a.id, 'Li again');
    expect(late.r.ok ? null : late.r.error.details).toEqual({ kind: 'legal', jurisdiction: 'CN', entryIndex: expect.any(Number) });
    const entries = await logEntries(server.log);
    const notices = entries.filter((e) => e.type === 'notice.sent');
    expect(notices.length).toBeGreaterThan(0);
    expect(notices.every((e) => e.authorityNamed === false)).toBe(true);
    const actions = entries.filter((e) => e.type === 'enforcement.removed' || e.type === 'enforcement.refused');
    expect(actions).toHaveLength(2); // the removal and the later refusal
    expect(actions.every((e) => (e.notice as { authorityNamed?: boolean } | undefined)?.authorityNamed === false)).toBe(true);
  });

  it('removes a participant whose location changes into the jurisdiction, and stops after the demand is lifted', async () => {
    const s = await scene();
    const id = await recordDemand(server, s.compliance.cookie, demandBody([s.a.id]));
    await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: s.approver.cookie } });
    await s.cn.c.waitEvent('you.removed');

    // The US participant's network path moves to a CN address: re-checked, removed.
    await server.services.rooms.relocate(s.us.pid!, CN);
    await s.us.c.waitEvent('you.removed');
    // The HK participant moves to an unknown (private) address: never in scope of a demand.
    await server.services.rooms.relocate(s.hk.pid!, '10.1.2.3');
    expect(s.hk.c.event('you.removed')).toBeUndefined();

    const lift = await server.app.inject({
      method: 'POST',
      url: `/api/demands/${id}/lift`,
      headers: { cookie: s.compliance.cookie },
      payload: { reason: 'order withdrawn' },
    });
    expect(lift.statusCode).toBe(200);
    expect(lift.json().demand.state).toBe('lifted');
    expect((await join(CN, s.a.id, 'Li back')).r.ok).toBe(true);
    const types = (await logEntries(server.log)).map((e) => e.type);
    expect(types).toContain('demand.lifted');
  });

  it('stops acting when an approved demand expires (checked lazily and by the timer)', async () => {
    const s = await scene();
    const id = await recordDemand(server, s.compliance.cookie, demandBody([s.a.id], { expiresAt: Date.now() + 400 }));
    await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: s.approver.cookie } });
    await s.cn.c.waitEvent('you.removed');
    expect((await join(CN, s.a.id, 'Li')).r.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 450));
    expect((await join(CN, s.a.id, 'Li')).r.ok).toBe(true);
    await server.policy.expireDue();
    const d = await server.app.inject({ method: 'GET', url: `/api/demands/${id}`, headers: { cookie: s.compliance.cookie } });
    expect(d.json().demand.state).toBe('expired');
    expect((await logEntries(server.log)).map((e) => e.type)).toContain('demand.expired');
  });

  it("removes a targeted account's live session in the jurisdiction only, in whichever meeting it is", async () => {
    const s = await scene();
    const target = await operator(server, []);
    const inCn = await join(CN, s.b.id, 'Target', target.cookie);
    const inHk = await join(HK, s.a.id, 'Target', target.cookie);
    expect(inCn.r.ok && inHk.r.ok).toBe(true);
    const id = await recordDemand(server, s.compliance.cookie, demandBody([], { targets: { meetings: [], accounts: [target.email] } }));
    const preview = await server.app.inject({ method: 'GET', url: `/api/demands/${id}/preview`, headers: { cookie: s.approver.cookie } });
    // The preview never says whether a named account is online in the jurisdiction (issue 11): no per-account count.
    expect(preview.json().preview).toMatchObject({ meetings: [], totals: { inJurisdiction: 0, outsideAffected: 0 } });
    expect(preview.json().preview).not.toHaveProperty('accountSessions');
    await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: s.approver.cookie } });
    expect((await inCn.c.waitEvent('you.removed')).data).toMatchObject({ kind: 'legal', jurisdiction: 'CN', demandId: id });
    // Nobody else in either meeting is touched: not the same account in HK, not the person from CN who is not the target.
    const live = server.services.rooms
      .listParticipants()
      .map((p) => p.participantId)
      .sort();
    expect(live).toEqual([s.h.pid, s.cn.pid, s.hk.pid, s.us.pid, s.b1.pid, s.b2.pid, inHk.pid].sort());
    expect(inHk.c.event('you.removed')).toBeUndefined();
  });

  it('refuses a targeted account in the jurisdiction, but not the same account elsewhere', async () => {
    const s = await scene();
    const target = await operator(server, []);
    const id = await recordDemand(server, s.compliance.cookie, demandBody([], { targets: { meetings: [], accounts: [target.email] } }));
    await server.app.inject({ method: 'POST', url: `/api/demands/${id}/approve`, headers: { cookie: s.approver.cookie } });
    const fromCn = await join(CN, s.b.id, 'Target', target.cookie);
    expect(fromCn.r.ok ? null : fromCn.r.error.code).toBe('LEGAL_RESTRICTION');
    const fromHk = await join(HK, s.b.id, 'Target', target.cookie);
    expect(fromHk.r.ok).toBe(true);
    // Hosting from inside the jurisdiction is refused; from outside it is not. The account stays active.
    const u = (await server.services.accounts.getById(target.id))!;
    const cnLoc = server.services.locator.locate(CN);
    await expect(server.policy.assertMayHost(u, cnLoc)).rejects.toMatchObject({ code: 'LEGAL_RESTRICTION' });
    await expect(server.policy.assertMayHost(u, server.services.locator.locate(US))).resolves.toBeUndefined();
    expect(u.status).toBe('active');
  });
});
