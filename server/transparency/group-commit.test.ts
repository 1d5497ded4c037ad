import { describe, expect, it } from 'vitest';
import { buildEntry } from './factories.js';
import { openTestLog } from './test-helpers.js';

describe('group commit', () => {
  it('commits concurrent appends together in call order, and counts each rejected call once as an append failure', async () => {
    let failNext = false;
    const t = await openTestLog(':memory:', {
      faults: {
        beforeCommit: () => {
          if (failNext) throw new Error('disk full');
        },
      },
    });
    const results = await Promise.all([t.log.append(buildEntry(1)), t.log.appendMany([buildEntry(2), buildEntry(3)]), t.log.append(buildEntry(4))]);
    expect(results.flat().map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(t.log.appendFailures()).toBe(0);
    failNext = true;
    const failed = await Promise.allSettled([t.log.append(buildEntry(5)), t.log.appendMany([buildEntry(6), buildEntry(7)])]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(t.log.appendFailures()).toBe(2);
    expect(t.log.size()).toBe(4); // rolled back: nothing of the failed batch exists
    failNext = false;
    expect((await t.log.append(buildEntry(8))).index).toBe(4);
    await t.close();
  });
});
