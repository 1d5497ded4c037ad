import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { AppError } from '../../protocol/errors.js';
import { Pseudonym } from '../../protocol/transparency.js';
import { toHex } from './bytes.js';
import { buildDemandRecorded, buildEnforcement, buildEntry } from './factories.js';
import { nodeHasher } from './hash-node.js';
import { verifyConsistency } from './merkle.js';
import { nodeVerifyEd25519 } from './cli.js';
import { parseSignedNote, parseCheckpointBody } from './note.js';
import { openTestLog, tempDir } from './test-helpers.js';
import { utf8 } from './bytes.js';

async function rowCount(t: Awaited<ReturnType<typeof openTestLog>>): Promise<number> {
  const r = await t.storage.db
    .selectFrom('log_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('transparency log store', () => {
  it('appends concurrent entries gap-free, in call order, in one transaction', async () => {
    let commits = 0;
    const t = await openTestLog(':memory:', {
      faults: {
        beforeCommit: () => {
          commits++;
        },
      },
    });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => t.log.append(buildEntry(i))));
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(commits).toBe(1);
    expect(t.log.size()).toBe(50);
    const rows = await t.log.getEntries(0, 49);
    expect(rows.map((r) => r.index)).toEqual(results.map((r) => r.index));
    expect(Buffer.from(results[7]!.leafHash, 'base64')).toEqual(Buffer.from(nodeHasher.leaf(utf8(rows[7]!.entry))));
    await t.close();
  });

  it('a failed append rejects with LOG_APPEND_FAILED, stores nothing, and the action is not taken', async () => {
    let fail = true;
    const t = await openTestLog(':memory:', {
      faults: {
        beforeCommit: () => {
          if (fail) throw new Error('disk full');
        },
      },
    });
    let actionTaken = false;
    const removeParticipant = async (): Promise<void> => {
      await t.log.append(buildEnforcement('enforcement.removed')); // write-ahead: record first
      actionTaken = true;
    };
    const err: unknown = await removeParticipant().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('LOG_APPEND_FAILED');
    expect(actionTaken).toBe(false);
    expect(await rowCount(t)).toBe(0);
    expect(t.log.size()).toBe(0);
    fail = false;
    await removeParticipant();
    expect(actionTaken).toBe(true);
    expect((await t.log.getEntries(0, 0))[0]?.index).toBe(0); // no gap left by the failure
    await t.close();
  });

  it('rejects an invalid entry with VALIDATION_FAILED and stores nothing', async () => {
    const t = await openTestLog();
    const bad = [
      { ...buildEnforcement(), evidence: { country: 'US', database: 'x', databaseBuildDate: '2026-01-01' } },
      buildDemandRecorded({ asked: [{ kind: 'end-meeting', performed: true }] }),
      { v: 1, type: 'account.suspended', at: 1, account: 'a_aaaaaaaaaaaaaaaa', reason: 'r', demandId: 'd-1' },
      { ...buildEntry(1), email: 'someone@example.org' },
      { ...buildEntry(1), v: 2 },
      { v: 1, type: 'meeting.hacked', at: 1 },
    ];
    for (const entry of bad) {
      await expect(t.log.append(entry as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    await expect(t.log.appendMany([buildEntry(1), bad[0] as never])).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await rowCount(t)).toBe(0);
    await t.close();
  });

  it('appendMany stores all entries atomically or none', async () => {
    let fail = true;
    const t = await openTestLog(':memory:', {
      maxBatch: 2,
      faults: {
        beforeCommit: () => {
          if (fail) throw new Error('x');
        },
      },
    });
    await expect(t.log.appendMany([buildEntry(1), buildEntry(2), buildEntry(3)])).rejects.toMatchObject({ code: 'LOG_APPEND_FAILED' });
    expect(await rowCount(t)).toBe(0);
    fail = false;
    expect((await t.log.appendMany([buildEntry(1), buildEntry(2), buildEntry(3)])).map((r) => r.index)).toEqual([0, 1, 2]);
    await t.close();
  });

  it('signs C2SP checkpoints that verify, only when the tree grew, each consistent with the last', async () => {
    const t = await openTestLog();
    const first = t.log.latestCheckpoint()!;
    expect(first.treeSize).toBe(0);
    await t.log.appendMany([buildEntry(1), buildEntry(2), buildEntry(3)]);
    const cp = await t.log.publishNow();
    expect(await t.log.publishNow()).toBe(cp);
    const note = parseSignedNote(cp.note)!;
    expect(note.body).toBe(`parley.test/transparency\n3\n${Buffer.from(cp.rootHash).toString('base64')}\n`);
    expect(cp.note.split('\n').at(-2)).toMatch(/^\u2014 parley\.test\/transparency [A-Za-z0-9+/]+=*$/);
    expect(await nodeVerifyEd25519(t.log.publicKey, utf8(note.body), note.signatures[0]!.signature)).toBe(true);
    expect(parseCheckpointBody(note.body)?.treeSize).toBe(3);
    await t.log.append(buildEntry(4));
    const cp2 = await t.log.publishNow();
    expect(verifyConsistency(nodeHasher, 3, 4, cp.rootHash, cp2.rootHash, t.log.consistencyProof(3, 4))).toBe(true);
    await t.close();
  });

  it('rebuilds the same tree, keys and pseudonyms after a restart', async () => {
    const file = path.join(tempDir(), 'db.sqlite');
    const a = await openTestLog(file);
    await a.log.appendMany(Array.from({ length: 20 }, (_, i) => buildEntry(i)));
    await a.log.publishNow();
    const before = { root: toHex(a.log.rootHash()), key: toHex(a.log.publicKey), p: a.log.pseudonym('participant', 'u1', 'd-1') };
    await a.close();
    const b = await openTestLog(file);
    expect(b.log.integrity()).toEqual({ ok: true });
    expect({ root: toHex(b.log.rootHash()), key: toHex(b.log.publicKey), p: b.log.pseudonym('participant', 'u1', 'd-1') }).toEqual(before);
    expect((await b.log.append(buildEntry(99))).index).toBe(20);
    await b.close();
  });

  it('refuses to append or sign after a stored entry was edited at rest', async () => {
    const file = path.join(tempDir(), 'db.sqlite');
    const a = await openTestLog(file);
    await a.log.appendMany(Array.from({ length: 5 }, (_, i) => buildEntry(i)));
    await a.log.publishNow();
    await a.storage.db
      .updateTable('log_entries')
      .set({ entry: JSON.stringify(buildEntry(42)).replace(/\s/g, '') })
      .where('idx', '=', 2)
      .execute();
    await a.close();
    const b = await openTestLog(file);
    expect(b.log.integrity()).toMatchObject({ ok: false, index: 2, reason: expect.stringContaining('entry 2') as unknown });
    expect(b.log.size()).toBe(2); // the tree stops before the changed row: nothing is built on it
    expect(await b.log.getEntries(0, 10)).toHaveLength(2);
    await expect(b.log.append(buildEntry(7))).rejects.toMatchObject({ code: 'LOG_APPEND_FAILED' });
    await expect(b.log.publishNow()).rejects.toMatchObject({ code: 'LOG_INCONSISTENT' });
    await b.close();
  });

  it('never signs a checkpoint inconsistent with the stored one (hash column forged too)', async () => {
    const file = path.join(tempDir(), 'db.sqlite');
    const a = await openTestLog(file);
    await a.log.appendMany(Array.from({ length: 5 }, (_, i) => buildEntry(i)));
    await a.log.publishNow();
    const forged = JSON.stringify(buildEntry(42));
    await a.storage.db
      .updateTable('log_entries')
      .set({ entry: forged, leaf_hash: toHex(nodeHasher.leaf(utf8(forged))) })
      .where('idx', '=', 1)
      .execute();
    await a.close();
    const b = await openTestLog(file);
    expect(b.log.integrity()).toMatchObject({ ok: false, reason: expect.stringContaining('checkpoint 5') as unknown });
    await expect(b.log.publishNow()).rejects.toMatchObject({ code: 'LOG_INCONSISTENT' });
    await b.close();
  });

  it('pseudonyms link one person within a demand but not across demands', async () => {
    const t = await openTestLog();
    const p1 = t.log.pseudonym('participant', 'user-1', 'd-1');
    expect(t.log.pseudonym('participant', 'user-1', 'd-1')).toBe(p1);
    expect(t.log.pseudonym('participant', 'user-1', 'd-2')).not.toBe(p1);
    expect(t.log.pseudonym('participant', 'user-2', 'd-1')).not.toBe(p1);
    expect(t.log.pseudonym('meeting', 'user-1', 'd-1')).toMatch(/^m_/);
    expect(Pseudonym.safeParse(p1).success).toBe(true);
    const other = await openTestLog();
    expect(other.log.pseudonym('participant', 'user-1', 'd-1')).not.toBe(p1); // per-instance secret
    await Promise.all([t.close(), other.close()]);
  });
});
