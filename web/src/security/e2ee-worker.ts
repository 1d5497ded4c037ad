/// <reference lib="webworker" />
/**
 * The encoded-transform worker (RTCRtpScriptTransform). Encrypts this device's outgoing
 * frames with its current media key and decrypts incoming frames with the sending
 * participant's keys. Keys arrive from the main thread as raw bytes and are imported
 * non-extractable here. Frames that fail to decrypt are dropped, never passed to a decoder.
 */
import { decryptFrame, encryptFrame, frameKeyId, importMediaKey, type FrameKind } from './frame-crypto.js';
import type { WorkerMessage, WorkerStats, TransformOptions } from './worker-protocol.js';

interface EncodedFrame {
  data: ArrayBuffer;
  type?: 'key' | 'delta' | 'empty';
}
interface Transformer {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
  options: TransformOptions;
  generateKeyFrame?: () => Promise<void>;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null;
  onrtctransform: ((e: { transformer: Transformer }) => void) | null;
  postMessage(m: unknown): void;
};

let sendKey: { id: number; key: CryptoKey } | null = null;
const recvKeys = new Map<string, Map<number, CryptoKey>>();
const binding = new Map<string, string>(); // receiverId → participantId
const senders = new Set<Transformer>();
let encrypt = true;
const stats: WorkerStats = { encrypted: 0, decrypted: 0, failed: 0, noKey: 0, cryptoMs: 0 };

/** Video frames carry a `type` (key/delta); audio frames do not. */
const mediaOf = (frame: EncodedFrame): 'audio' | 'video' => ('type' in frame ? 'video' : 'audio');

export function kindOf(data: Uint8Array, media: 'audio' | 'video'): FrameKind {
  if (media === 'audio') return 'audio';
  return ((data[0] ?? 1) & 1) === 0 ? 'video-key' : 'video-delta';
}

async function onSend(frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>): Promise<void> {
  const media = mediaOf(frame);
  const data = new Uint8Array(frame.data);
  if (!encrypt || data.length === 0) {
    out.enqueue(frame);
    return;
  }
  const k = sendKey;
  if (!k) return; // No key yet: send nothing rather than plaintext.
  const t0 = performance.now();
  frame.data = (await encryptFrame(k.key, k.id, data, kindOf(data, media))).buffer;
  stats.cryptoMs += performance.now() - t0;
  stats.encrypted++;
  out.enqueue(frame);
}

async function onRecv(frame: EncodedFrame, out: TransformStreamDefaultController<EncodedFrame>, opts: TransformOptions): Promise<void> {
  const data = new Uint8Array(frame.data);
  if (!encrypt || data.length === 0) {
    out.enqueue(frame);
    return;
  }
  const kind = kindOf(data, mediaOf(frame));
  const pid = binding.get(opts.receiverId ?? '') ?? '';
  const key = recvKeys.get(pid)?.get(frameKeyId(data, kind));
  if (!key) {
    stats.noKey++;
    return;
  }
  const t0 = performance.now();
  try {
    frame.data = (await decryptFrame(key, data, kind)).buffer;
    stats.cryptoMs += performance.now() - t0;
    stats.decrypted++;
    out.enqueue(frame);
  } catch {
    stats.failed++;
  }
}

scope.onrtctransform = (e) => {
  const t = e.transformer;
  const opts = t.options;
  if (opts.side === 'send') senders.add(t);
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    transform: (frame, out) => (opts.side === 'send' ? onSend(frame, out) : onRecv(frame, out, opts)),
  });
  void t.readable
    .pipeThrough(transform)
    .pipeTo(t.writable)
    .catch(() => undefined)
    .finally(() => senders.delete(t));
};

scope.onmessage = (e) => void handle(e.data);

async function handle(m: WorkerMessage): Promise<void> {
  switch (m.type) {
    case 'send-key':
      sendKey = { id: m.keyId, key: await importMediaKey(new Uint8Array(m.key)) };
      // A fresh keyframe so receivers recover at once after a rotation.
      for (const t of senders) t.generateKeyFrame?.().catch(() => undefined);
      return;
    case 'recv-key': {
      const keys = recvKeys.get(m.participantId) ?? new Map<number, CryptoKey>();
      keys.set(m.keyId, await importMediaKey(new Uint8Array(m.key)));
      // Keep only the newest few keys per sender (ids wrap at 256).
      while (keys.size > 4) keys.delete(keys.keys().next().value as number);
      recvKeys.set(m.participantId, keys);
      return;
    }
    case 'forget':
      recvKeys.delete(m.participantId);
      return;
    case 'bind':
      binding.set(m.receiverId, m.participantId);
      return;
    case 'encrypt':
      encrypt = m.on;
      return;
    case 'stats':
      scope.postMessage({ type: 'stats', stats: { ...stats } });
      return;
  }
}
