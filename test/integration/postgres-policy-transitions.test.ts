/**
 * [cluster] A demand's state changes exactly once across nodes: two engines, each with its own
 * storage pool and log writer (two nodes), on one PostgreSQL database, race the same
 * transition. Exactly one log entry and one state change result, and the entry is committed
 * before the state change (write-ahead).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../server/storage/index.js';
import { createKyselyPolicyStore, createPolicyEngine, type PolicyEngine, type PolicyHooks } from '../../server/policy/index.js';
import { createTransparencyLog, type TransparencyLog } from '../../server/transparency/index.js';
import { services, TestDatabases, type PgHandle } from '../cluster/services.js';

let pgHandle: PgHandle | null = null;
let dbs: TestDatabases;
const open: Storage[] = [];
const logs: TransparencyLog[] = [];

beforeAll(async () => {
  pgHandle = await (await services()).ensurePostgres();
  if (!pgHandle) throw new Error('PostgreSQL could not be started (see the message above)');
  dbs = new TestDatabases(pgHandle.url);
}, 60_000);

afterAll(async () => {
  for (const l of logs.splice(0)) await l.close().catch(() => undefined);
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  await dbs.drop();
  pgHandle?.stop();
});

interface Node {
  storage: Storage;
  log: TransparencyLog;
  engine: PolicyEngine;
  changed: { id: number; to: string; ok: boolean }[];
}

const T0 = 1_700_000_000_000;
let clock = T0;

async function twoNodes(): Promise<[Node, Node]> {
  const url = await dbs.create();
  const nodes: Node[] = [];
  for (let i = 0; i < 2; i++) {
    const storage = await openStorage({ databaseUrl: url });
    open.push(storage);
    expect(storage.dialect).toBe('postgres');
    const log = await createTransparencyLog({ db: storage.db, dialect: 'postgres', origin: 'parley.test/transparency', checkpointIntervalMs: 0 });
    logs.push(log);
    const changed: Node['changed'] = [];
    const hooks: PolicyHooks = { demandChanged: (id, to, ok) => void changed.push({ id, to, ok }) };
    const engine = createPolicyEngine({
      store: createKyselyPolicyStore(storage.db),
      log,
      meetings: { get: async () => null },
      now: () => clock,
      expiryCheckMs: 0,
      hooks,
    });
    nodes.push({ storage, log, engine, changed });
  }
  return nodes as [Node, Node];
}

async function insertDemand(n: Node, state: 'recorded' | 'approved', expiresAt: number | null): Promise<number> {
  const store = createKyselyPolicyStore(n.storage.db);
  const bytes = new Uint8Array([37, 80, 68, 70]);
  const d = await store.insertDemand(
    {
      authority: 'Example Authority',
      jurisdiction: 'CN',
      legalBasis: 'Art. 1',
      reference: `R-${Math.random()}`,
      receivedAt: T0,
      askedText: 'block',
      asks: [{ kind: 'block-participants', performed: true }],
      targets: { meetings: ['m-1'], accounts: [], unmatchedEmails: [], titlePattern: null },
      gag: { active: false, until: null },
      expiresAt,
      state,
      recordedBy: 'compliance-1',
      createdAt: T0,
    },
    { filename: 'order.pdf', contentType: 'application/pdf', size: bytes.length, sha256: 'ab'.repeat(32), bytes },
  );
  return d.id;
}

/** Every entry of the one log, as any node sees it after adopting the others' rows. */
async function entries(n: Node): Promise<{ type: string; demandId?: string }[]> {
  const size = await n.log.sync();
  if (size === 0) return [];
  const out: { type: string; demandId?: string }[] = [];
  for (let start = 0; start < size; start += 1000) {
    for (const e of await n.log.getEntries(start, Math.min(size - 1, start + 999))) out.push(JSON.parse(e.entry) as { type: string; demandId?: string });
  }
  return out;
}

describe('demand transitions across nodes on one PostgreSQL database', () => {
  it('two approvers on two nodes: one demand.decided, one state change, the other told DEMAND_STATE', async () => {
    const [a, b] = await twoNodes();
    for (let round = 0; round < 5; round++) {
      const id = await insertDemand(a, 'recorded', null);
      const results = await Promise.allSettled([a.engine.approveDemand(id, 'approver-a'), b.engine.approveDemand(id, 'approver-b')]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(failed).toHaveLength(1);
      expect(failed[0]?.reason).toMatchObject({ code: 'DEMAND_STATE' });
      const decided = (await entries(a)).filter((e) => e.type === 'demand.decided' && e.demandId === String(id));
      expect(decided).toHaveLength(1);
      const stored = await createKyselyPolicyStore(b.storage.db).getDemand(id);
      expect(stored?.state).toBe('approved');
      const winner = ok[0]?.status === 'fulfilled' ? ok[0].value.demand.decidedBy : null;
      expect(stored?.decidedBy).toBe(winner);
      expect(decided[0]).toMatchObject({ decision: 'approved' });
      const committed = [...a.changed, ...b.changed].filter((c) => c.id === id && c.ok);
      expect(committed).toEqual([{ id, to: 'approved', ok: true }]);
    }
  });

  it("every node's expiry timer fires at once: one demand.expired, one state change", async () => {
    const [a, b] = await twoNodes();
    clock = T0;
    const ids = [await insertDemand(a, 'approved', T0 + 1000), await insertDemand(a, 'approved', T0 + 2000), await insertDemand(a, 'approved', T0 + 3000)];
    await a.engine.start();
    await b.engine.start();
    expect(a.engine.activeDemandIds().length).toBe(3);
    expect(b.engine.activeDemandIds().length).toBe(3);
    clock = T0 + 5000;
    await Promise.all([a.engine.expireDue(), b.engine.expireDue(), a.engine.expireDue(), b.engine.expireDue()]);
    const all = await entries(b);
    for (const id of ids) {
      expect(all.filter((e) => e.type === 'demand.expired' && e.demandId === String(id))).toHaveLength(1);
      expect((await createKyselyPolicyStore(a.storage.db).getDemand(id))?.state).toBe('expired');
      expect([...a.changed, ...b.changed].filter((c) => c.id === id && c.ok)).toEqual([{ id, to: 'expired', ok: true }]);
    }
    // Both nodes stop acting on them, whichever one logged the expiry.
    expect(a.engine.activeDemandIds().length).toBe(0);
    expect(b.engine.activeDemandIds().length).toBe(0);
    a.engine.close();
    b.engine.close();
  });

  it('a lift on one node racing the expiry on the other: exactly one of demand.lifted / demand.expired', async () => {
    const [a, b] = await twoNodes();
    clock = T0;
    const id = await insertDemand(a, 'approved', T0 + 1000);
    await a.engine.start();
    await b.engine.start();
    clock = T0 + 5000;
    await Promise.allSettled([a.engine.liftDemand(id, 'admin-1', 'withdrawn'), b.engine.expireDue(), b.engine.liftDemand(id, 'admin-2', 'withdrawn')]);
    const ended = (await entries(a)).filter((e) => (e.type === 'demand.lifted' || e.type === 'demand.expired') && e.demandId === String(id));
    expect(ended).toHaveLength(1);
    const state = (await createKyselyPolicyStore(a.storage.db).getDemand(id))?.state;
    expect(state).toBe(ended[0]?.type === 'demand.lifted' ? 'lifted' : 'expired');
    expect([...a.changed, ...b.changed].filter((c) => c.ok)).toHaveLength(1);
    a.engine.close();
    b.engine.close();
  });

  it('write-ahead: when the log cannot be written, the state does not change', async () => {
    const [a] = await twoNodes();
    const id = await insertDemand(a, 'recorded', null);
    const failing = createPolicyEngine({
      store: createKyselyPolicyStore(a.storage.db),
      log: { append: () => Promise.reject(new Error('disk full')), appendMany: () => Promise.reject(new Error('disk full')), pseudonym: (k, v) => `${k}:${v}` },
      meetings: { get: async () => null },
      expiryCheckMs: 0,
    });
    await expect(failing.approveDemand(id, 'approver-a')).rejects.toThrow('disk full');
    expect((await createKyselyPolicyStore(a.storage.db).getDemand(id))?.state).toBe('recorded');
    // The lock was released: another node approves it now.
    await a.engine.approveDemand(id, 'approver-b');
    expect((await createKyselyPolicyStore(a.storage.db).getDemand(id))?.state).toBe('approved');
  });
});
