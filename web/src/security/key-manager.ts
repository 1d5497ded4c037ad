/**
 * Per-sender media keys. This device makes a random AES-GCM key, sends it to every member of
 * the verified roster chain, each copy encrypted to that member (static ECDH P-256 → HKDF-
 * SHA-256 → AES-GCM) and signed with this device's ECDSA key, and relays it through the
 * server as an opaque blob. It rotates whenever the roster changes (so someone who left or
 * was removed never gets the key for what follows) and on a timer. See docs/security.md.
 */
import type { ChainKeeper } from './chain-keeper.js';
import { ChatKeys } from './chat-seal.js';
import { fromB64, toB64, toB64Url, utf8 } from './encoding.js';
import { parsePeerIdentity, type DeviceIdentity, type PeerIdentity } from './identity.js';
import type { WorkerMessage } from './worker-protocol.js';

export interface KeyManagerOptions {
  meetingId: string;
  selfId: string;
  identity: DeviceIdentity;
  chain: ChainKeeper;
  /** Send an `e2ee.key` request through signaling. */
  send: (to: string, blob: string) => Promise<unknown>;
  /** Deliver a key to the transform worker. */
  post: (m: WorkerMessage) => void;
  rotateMs?: number;
  /** Delay between sending a new key and encrypting with it, so receivers have it first. */
  switchDelayMs?: number;
  /** Keep raw key bytes readable through testKeys() (tests only). */
  exposeKeysForTest?: boolean;
}

interface Envelope {
  v: 1;
  kid: number;
  seq: number;
  iv: string;
  ct: string;
  sig: string;
}

export type KeyEvent = { kind: 'rotated'; keyId: number } | { kind: 'received'; from: string; keyId: number } | { kind: 'rejected'; from: string; why: string };

export class KeyManager {
  readonly #o: KeyManagerOptions;
  #kid = -1;
  #raw: Uint8Array<ArrayBuffer> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #pending: ReturnType<typeof setTimeout> | null = null;
  #members = new Set<string>();
  readonly #peers = new Map<string, { identityKey: string; peer: PeerIdentity; wrap: CryptoKey | null }>();
  readonly #testOwn = new Map<number, string>();
  readonly #testRecv = new Map<string, Map<number, string>>();
  readonly #listeners = new Set<(e: KeyEvent) => void>();
  readonly #chat: ChatKeys;
  /** The key id media (and so chat) is sent under now: set when a new key is applied. */
  #sendKid = -1;
  #closed = false;

  constructor(o: KeyManagerOptions) {
    this.#o = o;
    this.#chat = new ChatKeys(o.meetingId);
  }

  /** Seal a chat message under the key this device sends with now (see chat-seal.ts). */
  sealChat(text: string): Promise<string> {
    return this.#chat.seal(this.#o.selfId, this.#sendKid, text);
  }

  /** Open a chat message the server says `from` sent; null if it cannot be opened. */
  openChat(from: string, sealed: string, waitMs?: number): Promise<string | null> {
    return this.#chat.open(from, sealed, waitMs);
  }

  get keyId(): number {
    return this.#kid;
  }

  /** Make the first key, follow roster changes, and rotate on the timer. */
  start(): void {
    this.#members = this.#trusted();
    this.#o.chain.onChange(() => this.#rosterChanged());
    this.#timer = setInterval(() => void this.rotate(), this.#o.rotateMs ?? 10 * 60_000);
    void this.rotate(true);
  }

  onEvent(cb: (e: KeyEvent) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  /** New key: send to every current member, then (after a short delay) encrypt with it. */
  async rotate(immediate = false): Promise<void> {
    if (this.#closed) return;
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const kid = (this.#kid + 1) & 0xff;
    this.#kid = kid;
    this.#raw = raw;
    if (this.#o.exposeKeysForTest) this.#testOwn.set(kid, toB64(raw));
    // Our own key, for the loopback check and for self-view of encrypted streams.
    this.#o.post({ type: 'recv-key', participantId: this.#o.selfId, keyId: kid, key: raw.slice().buffer });
    this.#chat.add(this.#o.selfId, kid, raw);
    // Only members whose key this browser trusts: a changed key gets nothing until confirmed.
    const to = [...this.#trusted()].filter((id) => id !== this.#o.selfId);
    await Promise.all(to.map((id) => this.#sendTo(id, kid, raw).catch(() => undefined)));
    const apply = () => {
      if (this.#raw !== raw || this.#closed) return;
      this.#o.post({ type: 'send-key', keyId: kid, key: raw.slice().buffer });
      this.#sendKid = kid;
    };
    if (immediate) apply();
    else setTimeout(apply, this.#o.switchDelayMs ?? 300);
    this.#emit({ kind: 'rotated', keyId: kid });
  }

  /** An `e2ee.key` event: accept it only from a verified member, signed by their key. */
  async receive(from: string, blob: string): Promise<boolean> {
    try {
      if (!this.#o.chain.isMember(from)) throw new Error('sender not in the verified roster');
      const env = JSON.parse(new TextDecoder().decode(fromB64(blob))) as Envelope;
      if (env.v !== 1 || !Number.isInteger(env.kid) || env.kid < 0 || env.kid > 255) throw new Error('bad envelope');
      const p = await this.#peer(from);
      if (!p) throw new Error('no identity key in the roster');
      const signed = utf8(`${this.#o.meetingId}|${from}|${this.#o.selfId}|${env.kid}|${env.seq}|${env.iv}|${env.ct}`);
      const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, p.peer.sign, fromB64(env.sig), signed);
      if (!ok) throw new Error('bad signature');
      const wrap = await this.#wrapKey(from, p, from, this.#o.selfId);
      const raw = new Uint8Array(
        await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromB64(env.iv), additionalData: utf8(`${env.kid}|${env.seq}`) }, wrap, fromB64(env.ct)),
      );
      if (raw.length !== 32) throw new Error('bad key length');
      if (this.#o.exposeKeysForTest) {
        const m = this.#testRecv.get(from) ?? new Map<number, string>();
        m.set(env.kid, toB64(raw));
        this.#testRecv.set(from, m);
      }
      this.#chat.add(from, env.kid, raw);
      this.#o.post({ type: 'recv-key', participantId: from, keyId: env.kid, key: raw.buffer });
      this.#emit({ kind: 'received', from, keyId: env.kid });
      return true;
    } catch (err) {
      this.#emit({ kind: 'rejected', from, why: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  /** Raw keys held (only with exposeKeysForTest): own by key id, received by sender. */
  testKeys(): { own: Record<number, string>; received: Record<string, Record<number, string>> } {
    const received: Record<string, Record<number, string>> = {};
    for (const [pid, m] of this.#testRecv) received[pid] = Object.fromEntries(m);
    return { own: Object.fromEntries(this.#testOwn), received };
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#pending) clearTimeout(this.#pending);
  }

  /** Verified members whose identity key this browser trusts (chain-keeper.ts, pins.ts). */
  #trusted(): Set<string> {
    return new Set([...this.#o.chain.members.keys()].filter((id) => this.#o.chain.isTrusted(id)));
  }

  #rosterChanged(): void {
    // A member whose changed key was just confirmed counts as a join: they get a fresh key.
    const now = this.#trusted();
    const changed = now.size !== this.#members.size || [...now].some((id) => !this.#members.has(id));
    for (const id of this.#members) if (!now.has(id)) this.#o.post({ type: 'forget', participantId: id });
    this.#members = now;
    if (!changed || this.#closed) return;
    // Several joins at once make one rotation.
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = setTimeout(() => {
      this.#pending = null;
      void this.rotate();
    }, 50);
  }

  async #sendTo(to: string, kid: number, raw: Uint8Array<ArrayBuffer>): Promise<void> {
    if (!this.#o.chain.isTrusted(to)) return;
    const p = await this.#peer(to);
    if (!p) return; // A member without an identity key cannot receive encrypted media.
    const seq = this.#o.chain.events.length;
    const wrap = await this.#wrapKey(to, p, this.#o.selfId, to);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(`${kid}|${seq}`) }, wrap, raw));
    const ivB = toB64(iv);
    const ctB = toB64(ct);
    const signed = utf8(`${this.#o.meetingId}|${this.#o.selfId}|${to}|${kid}|${seq}|${ivB}|${ctB}`);
    const sig = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.#o.identity.sign.privateKey, signed));
    const env: Envelope = { v: 1, kid, seq, iv: ivB, ct: ctB, sig: toB64(sig) };
    await this.#o.send(to, toB64Url(utf8(JSON.stringify(env))));
  }

  async #peer(id: string): Promise<{ identityKey: string; peer: PeerIdentity; wrap: CryptoKey | null } | null> {
    const identityKey = this.#o.chain.members.get(id)?.identityKey;
    if (!identityKey) return null;
    const cached = this.#peers.get(id);
    if (cached && cached.identityKey === identityKey) return cached;
    if (cached) {
      // One participant id is bound to one key for the whole meeting: a different key now is a
      // swap (the chain refuses a second join too). Never encrypt to it.
      this.#emit({ kind: 'rejected', from: id, why: 'identity key changed for a participant already present' });
      return null;
    }
    const peer = await parsePeerIdentity(identityKey);
    if (!peer) return null;
    const entry = { identityKey, peer, wrap: null };
    this.#peers.set(id, entry);
    return entry;
  }

  /** ECDH(our private, their public) → HKDF(salt = meeting id, info = sender‖receiver) → AES-GCM. */
  async #wrapKey(_peerId: string, p: { peer: PeerIdentity; wrap: CryptoKey | null }, from: string, to: string): Promise<CryptoKey> {
    const bits = await crypto.subtle.deriveBits({ name: 'ECDH', public: p.peer.dh }, this.#o.identity.dh.privateKey, 256);
    const base = await crypto.subtle.importKey('raw', bits, 'HKDF', false, ['deriveKey']);
    return crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: utf8(this.#o.meetingId), info: utf8(`parley-e2ee-v1|${from}|${to}`) },
      base,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
  }

  #emit(e: KeyEvent): void {
    for (const cb of this.#listeners) {
      try {
        cb(e);
      } catch {
        /* a listener must not break key handling */
      }
    }
  }
}
