/**
 * Once this browser has seen a meeting as end-to-end encrypted, it stays end-to-end encrypted
 * here: a server (or a host under pressure) that later says otherwise cannot make this client
 * send plain chat or plain media; the session raises a blocking alarm instead. Kept in
 * localStorage (meeting ids only), with an in-memory fallback where storage is unavailable.
 */

/** Where the pins live (localStorage in the browser; a Map in tests or private modes). */
export interface PinStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = 'parley.e2ee-meetings';
const MAX_PINS = 500;
const memory = new Map<string, string>();
const memoryStore: PinStore = {
  getItem: (k) => memory.get(k) ?? null,
  setItem: (k, v) => void memory.set(k, v),
};

function defaultStore(): PinStore {
  try {
    const ls = (globalThis as { localStorage?: PinStore }).localStorage;
    if (ls) {
      ls.getItem(KEY);
      return ls;
    }
  } catch {
    /* storage disabled: fall back to this page's memory */
  }
  return memoryStore;
}

function read(store: PinStore): string[] {
  try {
    const v: unknown = JSON.parse(store.getItem(KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Whether this browser has seen `meetingId` as end-to-end encrypted. */
export function isPinnedE2ee(meetingId: string, store: PinStore = defaultStore()): boolean {
  // The page's memory too: a pin whose write to storage failed still holds for this page.
  return read(store).includes(meetingId) || read(memoryStore).includes(meetingId);
}

/**
 * The server claims `claimed` for `meetingId`. Returns the mode this client uses: E2EE when
 * the claim says so (remembered from now on) or when it was seen before; `downgrade` is true
 * when the claim says plain for a meeting this browser knows as E2EE.
 */
export function observeE2ee(meetingId: string, claimed: boolean, store: PinStore = defaultStore()): { e2ee: boolean; downgrade: boolean } {
  const pinned = isPinnedE2ee(meetingId, store);
  if (claimed && !pinned) {
    for (const s of store === memoryStore ? [store] : [store, memoryStore]) {
      try {
        s.setItem(KEY, JSON.stringify([...read(s).filter((id) => id !== meetingId), meetingId].slice(-MAX_PINS)));
      } catch {
        /* quota or disabled storage: the page's memory still holds it */
      }
    }
  }
  return { e2ee: claimed || pinned, downgrade: pinned && !claimed };
}
