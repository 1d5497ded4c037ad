/**
 * What this browser pins, in one store: meetings it has seen as end-to-end encrypted, and the
 * identity keys it trusts per account (trust on first use). Each lives as JSON under its own
 * localStorage key (formats unchanged since they were two modules: `parley.e2ee-meetings` an
 * array of meeting ids, `parley.identity-keys` an object account → keys), and in this page's
 * memory when storage refuses a write (quota, private mode), so the pin still holds in this page.
 *
 * E2EE: once seen as E2EE, a meeting stays E2EE here; a server (or a host under pressure) that
 * later says otherwise cannot make this client send plain chat or media, the session raises a
 * blocking alarm instead. Keys: a different key for a known account is a key change that must
 * be confirmed before any media key is sent to it.
 */

/** Where the pins live (localStorage in the browser; a Map in tests or private modes). */
export interface PinStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const E2EE_KEY = 'parley.e2ee-meetings';
const IDENTITY_KEY = 'parley.identity-keys';
const MAX_MEETINGS = 500;
const MAX_ACCOUNTS = 2000;
const KEYS_PER_ACCOUNT = 8;

const memory = new Map<string, string>();
const memoryStore: PinStore = { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v) };

/** localStorage when it works, else this page's memory. */
function defaultStore(): PinStore {
  try {
    const ls = (globalThis as { localStorage?: PinStore }).localStorage;
    if (ls) {
      ls.getItem(E2EE_KEY);
      return ls;
    }
  } catch {
    /* storage disabled: fall back to this page's memory */
  }
  return memoryStore;
}

/** The JSON under `key` in `store`, or undefined when absent or unreadable. */
function readJson(store: PinStore, key: string): unknown {
  try {
    return JSON.parse(store.getItem(key) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Write `next(previous value there)` to `store`. `mirror`: to this page's memory as well, from
 * its own previous value (E2EE pins, read as a union of both); otherwise memory takes the write
 * only when storage refuses it (key pins).
 */
function writeJson(store: PinStore, key: string, next: (s: PinStore) => unknown, mirror: boolean): void {
  let stored = false;
  if (store !== memoryStore) {
    try {
      store.setItem(key, JSON.stringify(next(store)));
      stored = true;
    } catch {
      /* quota or disabled storage: the page's memory holds it */
    }
  }
  if (mirror || !stored) memoryStore.setItem(key, JSON.stringify(next(mirror ? memoryStore : store)));
}

const meetingsIn = (store: PinStore): string[] => {
  const v = readJson(store, E2EE_KEY);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};

/** Whether this browser has seen `meetingId` as end-to-end encrypted. */
export function isPinnedE2ee(meetingId: string, store: PinStore = defaultStore()): boolean {
  return meetingsIn(store).includes(meetingId) || meetingsIn(memoryStore).includes(meetingId);
}

/**
 * The server claims `claimed` for `meetingId`. Returns the mode this client uses: E2EE when
 * the claim says so (remembered from now on) or when it was seen before; `downgrade` is true
 * when the claim says plain for a meeting this browser knows as E2EE.
 */
export function observeE2ee(meetingId: string, claimed: boolean, store: PinStore = defaultStore()): { e2ee: boolean; downgrade: boolean } {
  const pinned = isPinnedE2ee(meetingId, store);
  if (claimed && !pinned) writeJson(store, E2EE_KEY, (s) => [...meetingsIn(s).filter((id) => id !== meetingId), meetingId].slice(-MAX_MEETINGS), true);
  return { e2ee: claimed || pinned, downgrade: pinned && !claimed };
}

/** Identity keys trusted per account (the roster chain's opaque `account` tag). */
export class KeyPins {
  readonly #store: PinStore;

  constructor(store: PinStore = defaultStore()) {
    this.#store = store;
  }

  #read(): Record<string, unknown> {
    for (const store of [this.#store, memoryStore]) {
      const v = readJson(store, IDENTITY_KEY);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    }
    return {};
  }

  /** The keys this browser trusts for `account` (one per device it has seen confirmed). */
  get(account: string): string[] {
    const v = this.#read()[account];
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [];
  }

  /** Trust `identityKey` for `account` from now on. */
  trust(account: string, identityKey: string): void {
    const keys = [...this.get(account).filter((k) => k !== identityKey), identityKey].slice(-KEYS_PER_ACCOUNT);
    // The account moves to the end, so the oldest accounts are the ones dropped past the cap.
    const rest = Object.entries(this.#read()).filter(([a]) => a !== account);
    const next = Object.fromEntries([...rest, [account, keys] as const].slice(-MAX_ACCOUNTS));
    writeJson(this.#store, IDENTITY_KEY, () => next, false);
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
