/**
 * Per-frame AES-GCM for media (used by the transform worker, tests and benchmarks).
 * Layout: clear header ‖ AES-GCM(ciphertext ‖ 16-byte tag) ‖ 12-byte IV ‖ 1-byte key id.
 * The clear header lets the SFU switch simulcast layers: VP8 keyframes keep 10 bytes (frame
 * tag, start code, dimensions), delta frames 3 (frame tag), Opus the TOC byte. The header is
 * the AES-GCM additional data, so changing it makes decryption fail.
 */
export const IV_BYTES = 12;
export const TRAILER_BYTES = IV_BYTES + 1;
export const TAG_BYTES = 16;

export type FrameKind = 'video-key' | 'video-delta' | 'audio';

export function clearBytes(kind: FrameKind): number {
  return kind === 'video-key' ? 10 : kind === 'video-delta' ? 3 : 1;
}

/** Import 32 raw bytes as a non-extractable AES-GCM media key. */
export function importMediaKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export async function encryptFrame(key: CryptoKey, keyId: number, data: Uint8Array<ArrayBuffer>, kind: FrameKind): Promise<Uint8Array<ArrayBuffer>> {
  const clear = Math.min(clearBytes(kind), data.length);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const header = data.subarray(0, clear);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key, data.subarray(clear)));
  const out = new Uint8Array(clear + ct.length + TRAILER_BYTES);
  out.set(header);
  out.set(ct, clear);
  out.set(iv, clear + ct.length);
  out[out.length - 1] = keyId & 0xff;
  return out;
}

/** The key id of an encrypted frame, or -1 when it is too short to be one. */
export function frameKeyId(data: Uint8Array, kind: FrameKind): number {
  return data.length < clearBytes(kind) + TAG_BYTES + TRAILER_BYTES ? -1 : (data[data.length - 1] ?? -1);
}

/** Decrypt a frame; throws when the key is wrong or the frame was altered. */
export async function decryptFrame(key: CryptoKey, data: Uint8Array<ArrayBuffer>, kind: FrameKind): Promise<Uint8Array<ArrayBuffer>> {
  const clear = clearBytes(kind);
  if (data.length < clear + TAG_BYTES + TRAILER_BYTES) throw new Error('frame too short');
  const iv = data.slice(data.length - TRAILER_BYTES, data.length - 1);
  const header = data.subarray(0, clear);
  const pt = new Uint8Array(
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: header }, key, data.subarray(clear, data.length - TRAILER_BYTES)),
  );
  const out = new Uint8Array(clear + pt.length);
  out.set(header);
  out.set(pt, clear);
  return out;
}
