import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../protocol/transparency.js';
import { toHex, utf8 } from './bytes.js';
import { buildEntry } from './factories.js';
import { nodeHasher } from './hash-node.js';
import { LogTree, type StoredRow } from './log-tree.js';

const row = (idx: number, entry = canonicalJson(buildEntry(idx))): StoredRow => ({ idx, entry, leaf_hash: toHex(nodeHasher.leaf(utf8(entry))) });

describe('LogTree.adopt (the one integrity loop: start-up and catch-up)', () => {
  it('adopts rows that continue the tree, in pages', () => {
    const t = new LogTree();
    expect(t.adopt([row(0), row(1)])).toEqual({ adopted: [row(0).entry, row(1).entry], complete: true });
    expect(t.adopt([row(2)]).complete).toBe(true);
    expect(t.size).toBe(3);
    expect(t.report().entries).toBe(3);
    expect(t.integrity()).toEqual({ ok: true });
  });

  it('stops before a row that does not match its stored hash, and adopts nothing after it, ever', () => {
    const t = new LogTree();
    const changed = { ...row(2), entry: row(2).entry.replace('"v":1', '"v":2') };
    expect(t.adopt([row(0), row(1), changed, row(3)])).toEqual({ adopted: [row(0).entry, row(1).entry], complete: false });
    expect(t.size).toBe(2);
    expect(t.integrity()).toEqual({ ok: false, index: 2, reason: 'entry 2 does not match its stored leaf hash' });
    expect(t.adopt([row(2)]).complete).toBe(false);
    expect(t.size).toBe(2);
  });

  it('stops at a gap and at a row that is not JSON, naming the index', () => {
    const gap = new LogTree();
    gap.adopt([row(0), row(2)]);
    expect(gap.integrity()).toMatchObject({ ok: false, index: 1, reason: 'entry 1 is missing (next stored is 2)' });
    const notJson = new LogTree();
    notJson.adopt([row(0), row(1, '{oops')]);
    expect(notJson.integrity()).toMatchObject({ ok: false, index: 1, reason: 'entry 1 is not JSON' });
    expect(notJson.size).toBe(1);
  });
});
