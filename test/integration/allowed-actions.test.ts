/**
 * `allowedActions` on each demand the API returns says exactly what the server accepts from the
 * reader who asked: for the recorder, a second approver, an approver whose role the recorder got
 * for them (linked), and an auditor, each action is tried on a fresh demand and the answer
 * compared with what the list and the detail said beforehand. Issue 11 item 8.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMeeting } from '../helpers/app.js';
import { demandBody, operator, recordDemand, startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

type Who = Awaited<ReturnType<typeof operator>>;
type State = 'recorded' | 'recorded without document' | 'approved' | 'rejected';
const ACTIONS = ['approve', 'reject', 'lift', 'preview'] as const;

let server: PolicyTestServer;
beforeEach(async () => {
  server = await startPolicyServer();
});
afterEach(async () => {
  await server.close();
});

function call(method: 'GET' | 'PUT' | 'POST', url: string, cookie: string, payload?: Record<string, unknown>) {
  return server.app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) });
}

/** Try one action as `who`; true when the server accepted it. */
async function attempt(action: (typeof ACTIONS)[number], id: number, who: Who): Promise<boolean> {
  const res =
    action === 'preview' ? await call('GET', `/api/demands/${id}/preview`, who.cookie) : await call('POST', `/api/demands/${id}/${action}`, who.cookie, {});
  if (res.statusCode !== 200) expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
  return res.statusCode === 200;
}

async function allowedFor(id: number, who: Who): Promise<{ list: string[]; detail: string[] }> {
  const list = (await call('GET', '/api/demands', who.cookie)).json<{ demands: { id: number; allowedActions: string[] }[] }>();
  const detail = (await call('GET', `/api/demands/${id}`, who.cookie)).json<{ demand: { allowedActions: string[] } }>();
  return { list: list.demands.find((d) => d.id === id)?.allowedActions ?? ['missing'], detail: detail.demand.allowedActions };
}

describe('allowedActions', () => {
  it('lists for each reader exactly the actions the server then accepts from them, in every state', async () => {
    const recorder = await operator(server, ['admin', 'compliance']);
    const second = await operator(server, ['admin', 'approver']);
    const auditor = await operator(server, ['auditor']);
    // The recorder asks for a role for a second account and a real second admin approves it: linked.
    const linked = await operator(server, []);
    const g = await call('PUT', `/api/admin/users/${linked.id}/roles`, recorder.cookie, { roles: ['approver'] });
    expect(g.statusCode).toBe(202);
    const grantId = g.json<{ pending: { id: string } }>().pending.id;
    expect((await call('POST', `/api/admin/approvals/${grantId}/approve`, second.cookie)).statusCode).toBe(200);

    const host = await operator(server, []);
    const m = await createMeeting(server, host.cookie);
    async function demandIn(state: State): Promise<number> {
      if (state === 'recorded without document') {
        const res = await call('POST', '/api/demands', recorder.cookie, demandBody([m.id]));
        expect(res.statusCode).toBe(201);
        return res.json<{ demand: { id: number } }>().demand.id;
      }
      const id = await recordDemand(server, recorder.cookie, demandBody([m.id]));
      if (state === 'approved') expect((await call('POST', `/api/demands/${id}/approve`, second.cookie, {})).statusCode).toBe(200);
      if (state === 'rejected') expect((await call('POST', `/api/demands/${id}/reject`, second.cookie, {})).statusCode).toBe(200);
      return id;
    }

    const readers = { recorder, second, linked, auditor };
    const seen: Record<string, Record<string, string[]>> = {};
    for (const state of ['recorded', 'recorded without document', 'approved', 'rejected'] as const) {
      for (const [name, who] of Object.entries(readers)) {
        const accepted: string[] = [];
        let said: string[] = [];
        for (const action of ACTIONS) {
          const id = await demandIn(state);
          const { list, detail } = await allowedFor(id, who);
          expect(list, `${name} ${state}: list vs detail`).toEqual(detail);
          said = detail;
          if (await attempt(action, id, who)) accepted.push(action);
        }
        expect([...said].sort(), `${name} on a ${state} demand`).toEqual(accepted.sort());
        (seen[state] ??= {})[name] = accepted;
      }
    }
    // The rules the comparison covers, spelled out once (sorted). A linked approver may still
    // reject and preview: only approval checks the link (demands.ts), and allowedActions says so.
    expect(seen['recorded']).toEqual({ recorder: [], second: ['approve', 'preview', 'reject'], linked: ['preview', 'reject'], auditor: [] });
    expect(seen['recorded without document']?.['second']).toEqual(['preview', 'reject']);
    expect(seen['approved']).toEqual({ recorder: ['lift'], second: [], linked: [], auditor: [] });
    expect(seen['rejected']).toEqual({ recorder: [], second: [], linked: [], auditor: [] });
  });
});
