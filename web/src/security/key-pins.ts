/**
 * Trust on first use for identity keys: the first identity key this browser sees for an
 * account (the roster chain's opaque `account` tag) is remembered; a different key for the
 * same account in a later meeting is a key change that must be confirmed before any media
 * key is sent to it. Kept in localStorage, with an in-memory fallback.
 */
import type { PinStore } from './e2ee-pin.js';

const KEY = 'parley.identity-keys';
const MAX_ACCOUNTS = 2000;
const memory = new Map<string, string>();
const memoryStore: PinStore = { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v) };

function defaultStore(): PinStore {
  try {
    const ls = (globalThis as { localStorage?: PinStore }).localStorage;
    if (ls) {
      ls.getItem(KEY);
      return ls;
    }
  } catch {
    /* storage disabled */
  }
  return memoryStore;
}

export class KeyPins {
  readonly #store: PinStore;

  constructor(store: PinStore = defaultStore()) {
    this.#store = store;
  }

  #read(): Record<string, string[]> {
    for (const store of [this.#store, memoryStore]) {
      try {
        const v: unknown = JSON.parse(store.getItem(KEY) ?? 'null');
        if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, string[]>;
      } catch {
        /* unreadable: try the next */
      }
    }
    return {};
  }

  /** The keys this browser trusts for `account` (one per device it has seen confirmed). */
  get(account: string): string[] {
    const v = this.#read()[account];
    return Array.isArray(v) ? v.filter((k) => typeof k === 'string') : [];
  }

  /** Trust `identityKey` for `account` from now on. */
  trust(account: string, identityKey: string): void {
    const keys = [...this.get(account).filter((k) => k !== identityKey), identityKey].slice(-8);
    // The account moves to the end, so the oldest accounts are the ones dropped past the cap.
    const rest = Object.entries(this.#read()).filter(([a]) => a !== account);
    const text = JSON.stringify(Object.fromEntries([...rest, [account, keys] as const].slice(-MAX_ACCOUNTS)));
    try {
      this.#store.setItem(KEY, text);
    } catch {
      memoryStore.setItem(KEY, text);
    }
  }

  /**
   * Check a member's key: 'first' (no key known for the account: now trusted), 'same', or
   * 'changed' (not trusted until the person confirms it with trust()).
   */
  check(account: string, identityKey: string): 'first' | 'same' | 'changed' {
    const known = this.get(account);
    if (known.length === 0) {
      this.trust(account, identityKey);
      return 'first';
    }
    return known.includes(identityKey) ? 'same' : 'changed';
  }
}
