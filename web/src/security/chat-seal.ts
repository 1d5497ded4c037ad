/**
 * End-to-end encrypted chat for E2EE meetings. Each sender's chat key is derived from that
 * sender's media key (HKDF-SHA-256, salt = meeting id, info = `parley-chat-v1|sender|key id`),
 * so it reaches exactly the members the media key reached, is replaced on the same roster
 * changes, and is never the key that encrypts frames. A message is
 * `v1.<key id>.<iv>.<AES-GCM(text)>` (base64url); the additional data names the meeting, the
 * sender and the key id, so the server cannot re-attribute a message to someone else.
 */
import { fromB64, toB64Url, utf8 } from './encoding.js';

/** protocol/signaling.ts's SEALED_CHAT, written here so the client does not bundle zod (a test keeps them equal). */
export const SEALED = /^v1\.(\d{1,3})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,16024})$/;
/** Keys kept per sender (a rotation every roster change; late messages still open). */
const KEEP = 32;

export class ChatKeys {
  readonly #meetingId: string;
  readonly #keys = new Map<string, Map<number, Promise<CryptoKey>>>();
  readonly #waiters = new Set<() => void>();

  constructor(meetingId: string) {
    this.#meetingId = meetingId;
  }

  /** A sender's media key arrived (or ours was made): derive its chat key. */
  add(sender: string, kid: number, raw: Uint8Array<ArrayBuffer>): void {
    const key = crypto.subtle
      .importKey('raw', raw, 'HKDF', false, ['deriveKey'])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: utf8(this.#meetingId), info: utf8(`parley-chat-v1|${sender}|${kid}`) },
          base,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
    const m = this.#keys.get(sender) ?? new Map<number, Promise<CryptoKey>>();
    m.delete(kid); // re-insert: the newest key is last
    m.set(kid, key);
    while (m.size > KEEP) m.delete(m.keys().next().value as number);
    this.#keys.set(sender, m);
    for (const w of [...this.#waiters]) w();
  }

  has(sender: string, kid: number): boolean {
    return this.#keys.get(sender)?.has(kid) ?? false;
  }

  /** Seal `text` as `sender` under key `kid`. Throws when that key is not held. */
  async seal(sender: string, kid: number, text: string): Promise<string> {
    const key = this.#keys.get(sender)?.get(kid);
    if (!key) throw new Error('no chat key yet');
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: this.#aad(sender, kid) }, await key, utf8(text));
    return `v1.${kid}.${toB64Url(iv)}.${toB64Url(new Uint8Array(ct))}`;
  }

  /**
   * Open a message the server says `from` sent. Waits up to `waitMs` for the sender's key
   * (it can arrive just after the message); null when it never does or the message does not
   * authenticate (tampered, re-attributed, or sealed for a roster this device was not in).
   */
  async open(from: string, sealed: string, waitMs = 3000): Promise<string | null> {
    const m = SEALED.exec(sealed);
    if (!m) return null;
    const kid = Number(m[1]);
    const deadline = Date.now() + waitMs;
    while (!this.has(from, kid)) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#waiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#waiters.add(done);
      });
    }
    try {
      const key = await this.#keys.get(from)!.get(kid)!;
      const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromB64(m[2]!), additionalData: this.#aad(from, kid) }, key, fromB64(m[3]!));
      return new TextDecoder('utf-8', { fatal: true }).decode(pt);
    } catch {
      return null;
    }
  }

  #aad(sender: string, kid: number): Uint8Array<ArrayBuffer> {
    return utf8(`parley-chat-v1|${this.#meetingId}|${sender}|${kid}`);
  }
}
