/**
 * The device identity: an ECDSA P-256 signing key pair and an ECDH P-256 key-agreement key
 * pair, private halves non-extractable, kept in IndexedDB. The public identity key that the
 * join event binds to the display name is base64(raw ECDSA public ‖ raw ECDH public), 130
 * bytes → 176 characters (the protocol allows 256). See docs/security.md.
 */
import { fromB64, toB64 } from './encoding.js';

export interface DeviceIdentity {
  sign: CryptoKeyPair;
  dh: CryptoKeyPair;
  /** base64(raw ECDSA public key ‖ raw ECDH public key). */
  publicKey: string;
}

export interface PeerIdentity {
  sign: CryptoKey;
  dh: CryptoKey;
}

const DB = 'parley-security';
const STORE = 'identity';
const RAW_LEN = 65;

function idb<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onerror = () => reject(open.error ?? new Error('indexedDB open failed'));
    open.onsuccess = () => {
      const db = open.result;
      const req = run(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => {
        resolve(req.result);
        db.close();
      };
      req.onerror = () => {
        reject(req.error ?? new Error('indexedDB request failed'));
        db.close();
      };
    };
  });
}

/** Make a fresh identity (private keys non-extractable). */
export async function generateIdentity(): Promise<DeviceIdentity> {
  const sign = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const dh = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  return { sign, dh, publicKey: await encodePublic(sign.publicKey, dh.publicKey) };
}

export async function encodePublic(sign: CryptoKey, dh: CryptoKey): Promise<string> {
  const a = new Uint8Array(await crypto.subtle.exportKey('raw', sign));
  const b = new Uint8Array(await crypto.subtle.exportKey('raw', dh));
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return toB64(out);
}

/** Parse a peer's public identity key from the roster chain; null when malformed. */
export async function parsePeerIdentity(identityKey: string): Promise<PeerIdentity | null> {
  try {
    const raw = fromB64(identityKey);
    if (raw.length !== RAW_LEN * 2) return null;
    const sign = await crypto.subtle.importKey('raw', raw.slice(0, RAW_LEN), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    const dh = await crypto.subtle.importKey('raw', raw.slice(RAW_LEN), { name: 'ECDH', namedCurve: 'P-256' }, true, []);
    return { sign, dh };
  } catch {
    return null;
  }
}

/** This device's identity from IndexedDB, created on first use. Falls back to memory only. */
export async function loadOrCreateIdentity(): Promise<DeviceIdentity> {
  try {
    const stored = await idb<DeviceIdentity | undefined>('readonly', (s) => s.get('device') as IDBRequest<DeviceIdentity | undefined>);
    if (stored?.sign && stored.dh && stored.publicKey) return stored;
    const fresh = await generateIdentity();
    await idb('readwrite', (s) => s.put(fresh, 'device'));
    return fresh;
  } catch {
    return generateIdentity();
  }
}

let cached: Promise<DeviceIdentity> | null = null;
/** This device's identity, loaded once per page (use for `join.identityKey` and the session). */
export function deviceIdentity(): Promise<DeviceIdentity> {
  cached ??= loadOrCreateIdentity();
  return cached;
}
