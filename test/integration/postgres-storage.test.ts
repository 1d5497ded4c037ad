/**
 * Storage on PostgreSQL: the same migrations as SQLite, the dialect-sensitive queries
 * (RETURNING, upserts, bytea, bigint), and the transparency log with several writers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openStorage, type Storage } from '../../server/storage/index.js';
import { migrations } from '../../server/storage/migrations/index.js';
import { createMeetingStore } from '../../server/meetings/index.js';
import { createAccounts } from '../../server/accounts/index.js';
import { createKyselyPolicyStore } from '../../server/policy/index.js';
import { createTransparencyLog, verifyLog } from '../../server/transparency/index.js';
import { buildEntry } from '../../server/transparency/factories.js';
import { services, TestDatabases, type PgHandle } from '../cluster/services.js';

let pgHandle: PgHandle | null = null;
let dbs: TestDatabases;
const open: Storage[] = [];

async function freshStorage(url?: string): Promise<{ storage: Storage; url: string }> {
  const dbUrl = url ?? (await dbs.create());
  const storage = await openStorage({ databaseUrl: dbUrl });
  open.push(storage);
  return { storage, url: dbUrl };
}

beforeAll(async () => {
  pgHandle = await (await services()).ensurePostgres();
  if (!pgHandle) throw new Error('PostgreSQL could not be started (see the message above)');
  dbs = new TestDatabases(pgHandle.url);
}, 60_000);

afterAll(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  await dbs.drop();
  pgHandle?.stop();
});

describe('migrations on PostgreSQL', () => {
  it('applies every migration once, and a second start (another node) applies none', async () => {
    const { storage, url } = await freshStorage();
    expect(storage.dialect).toBe('postgres');
    const again = await freshStorage(url);
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(again.storage.db);
    expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
  });

  it('lets three nodes start on one empty database at the same moment', async () => {
    const url = await dbs.create();
    const started = await Promise.all([0, 1, 2].map(() => freshStorage(url)));
    expect(started.every((s) => s.storage.dialect === 'postgres')).toBe(true);
  });
});

describe('queries whose SQL differs by dialect', () => {
  it('reads bigint times back as numbers and upserts bans idempotently', async () => {
    const { storage } = await freshStorage();
    const accounts = createAccounts(storage.db);
    const user = await accounts.signup({
      email: 'Host@Example.org',
      password: 'correct horse battery',
      displayName: 'Host',
      accountType: 'individual',
      country: null,
    });
    const meetings = createMeetingStore(storage.db);
    const m = await meetings.create(user.id, { title: 'Memorial', passcode: '6489' });
    const back = await meetings.get(m.id);
    expect(typeof back?.createdAt).toBe('number');
    expect(back?.createdAt).toBe(m.createdAt);
    expect(await meetings.checkPasscode(m.id, '6489')).toBe(true);
    await meetings.ban(m.id, ['user:x', 'device:y'], 'host');
    await meetings.ban(m.id, ['user:x'], 'host');
    expect(await meetings.isBanned(m.id, ['user:x'])).toBe(true);
    await expect(
      accounts.signup({ email: 'host@example.org', password: 'another long pass', displayName: 'H', accountType: 'individual', country: null }),
    ).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
  });

  it('stores demands with RETURNING ids, bytea documents, compare-and-set and restriction upserts', async () => {
    const { storage } = await freshStorage();
    const store = createKyselyPolicyStore(storage.db);
    const bytes = new Uint8Array([0, 1, 2, 255, 254]);
    const d = await store.insertDemand(
      {
        authority: 'Example Authority',
        jurisdiction: 'CN',
        legalBasis: 'Art. 1',
        reference: 'R-1',
        receivedAt: 1,
        askedText: 'end it',
        asks: [{ kind: 'block-participants', performed: true }],
        targets: { meetings: ['m1'], accounts: [], unmatchedEmails: [], titlePattern: null },
        gag: { active: false, until: null },
        expiresAt: null,
        state: 'recorded',
        recordedBy: 'u1',
        createdAt: 2,
      },
      { sha256: 'ab'.repeat(32), filename: 'order.pdf', contentType: 'application/pdf', size: bytes.length, bytes },
    );
    expect(d.id).toBeGreaterThan(0);
    const doc = await store.getDocument(d.id);
    expect([...(doc?.bytes ?? [])]).toEqual([...bytes]);
    expect(await store.transition(d.id, 'recorded', { state: 'approved', decidedBy: 'u2', decidedAt: 3 })).toBe(true);
    expect(await store.transition(d.id, 'recorded', { state: 'approved' })).toBe(false);
    expect((await store.listDemandsInState('approved')).map((x) => x.id)).toEqual([d.id]);
    const r = { scope: 'instance' as const, subject: '', mode: 'block' as const, countries: ['CN'], unknown: 'allow' as const, updatedBy: 'a', updatedAt: 1 };
    await store.putRestriction(r);
    await store.putRestriction({ ...r, countries: ['CN', 'HK'], updatedAt: 2 });
    const list = await store.listRestrictions();
    expect(list).toHaveLength(1);
    expect(list[0]?.countries).toEqual(['CN', 'HK']);
  });
});

describe('the transparency log with several writers (nodes) on one database', () => {
  it('gives gap-free, unique indexes when three nodes append at once, and every node verifies', async () => {
    const url = await dbs.create();
    const nodes = await Promise.all(
      [0, 1, 2].map(async () => {
        const { storage } = await freshStorage(url);
        return createTransparencyLog({ db: storage.db, dialect: storage.dialect, origin: 'parley.test/transparency', checkpointIntervalMs: 0 });
      }),
    );
    const results = await Promise.all(nodes.flatMap((log, n) => Array.from({ length: 40 }, (_, i) => log.append(buildEntry(n * 1000 + i)))));
    const indexes = results.map((r) => r.index).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: 120 }, (_, i) => i));
    const { storage } = await freshStorage(url);
    const rows = await storage.db.selectFrom('log_entries').select('idx').orderBy('idx').execute();
    expect(rows.map((r) => Number(r.idx))).toEqual(indexes);
    // A restarted node rebuilds the same tree and finds it consistent with every checkpoint.
    for (const log of nodes) await log.publishNow();
    const fresh = await createTransparencyLog({ db: storage.db, dialect: storage.dialect, origin: 'parley.test/transparency', checkpointIntervalMs: 0 });
    expect(fresh.integrity()).toEqual({ ok: true });
    expect(fresh.size()).toBe(120);
    for (const log of nodes) {
      expect(log.integrity()).toEqual({ ok: true });
      await log.close();
    }
    await fresh.close();
    expect(typeof verifyLog).toBe('function');
  });
});
