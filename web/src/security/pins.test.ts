/**
 * The pins this browser already holds keep working: the formats written by the two stores that
 * pins.ts replaced (`parley.e2ee-meetings`: an array of meeting ids; `parley.identity-keys`: an
 * object account → keys), read back from storage as those stores left them, and written the same way.
 */
import { describe, expect, it } from 'vitest';
import { isPinnedE2ee, KeyPins, observeE2ee, type PinStore } from './pins.js';

/** A browser's localStorage as an earlier release left it. */
function storageWith(items: Record<string, string>): PinStore & { map: Map<string, string> } {
  const map = new Map(Object.entries(items));
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

describe('pins written by earlier releases', () => {
  it('keeps a meeting pinned as E2EE and raises the downgrade for it', () => {
    const store = storageWith({ 'parley.e2ee-meetings': '["vigil-0604","memorial-1989"]' });
    expect(isPinnedE2ee('memorial-1989', store)).toBe(true);
    expect(observeE2ee('vigil-0604', false, store)).toEqual({ e2ee: true, downgrade: true });
    expect(isPinnedE2ee('never-seen', store)).toBe(false);
  });

  it('keeps trusted identity keys and flags a changed one', () => {
    const store = storageWith({ 'parley.identity-keys': '{"acct-a":["KEY-A1","KEY-A2"],"acct-b":["KEY-B"]}' });
    const pins = new KeyPins(store);
    expect(pins.get('acct-a')).toEqual(['KEY-A1', 'KEY-A2']);
    expect(pins.check('acct-b', 'KEY-B')).toBe('same');
    expect(pins.check('acct-b', 'KEY-EVIL')).toBe('changed');
  });

  it('writes the same formats under the same keys', () => {
    const store = storageWith({});
    observeE2ee('m-1', true, store);
    new KeyPins(store).trust('acct-c', 'KEY-C');
    expect(JSON.parse(store.map.get('parley.e2ee-meetings') ?? '')).toEqual(['m-1']);
    expect(JSON.parse(store.map.get('parley.identity-keys') ?? '')).toEqual({ 'acct-c': ['KEY-C'] });
    expect([...store.map.keys()].sort()).toEqual(['parley.e2ee-meetings', 'parley.identity-keys']);
  });
});
