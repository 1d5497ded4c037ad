/** Messages between the main thread and the E2EE transform worker. */
export interface TransformOptions {
  side: 'send' | 'recv';
  /** For receivers: the id the main thread binds to a participant (slots are reused). */
  receiverId?: string;
}

export type WorkerMessage =
  | { type: 'send-key'; keyId: number; key: ArrayBuffer }
  | { type: 'recv-key'; participantId: string; keyId: number; key: ArrayBuffer }
  | { type: 'forget'; participantId: string }
  | { type: 'bind'; receiverId: string; participantId: string }
  | { type: 'encrypt'; on: boolean }
  | { type: 'stats' };

export interface WorkerStats {
  encrypted: number;
  decrypted: number;
  /** Frames whose key id was known but whose authentication failed. */
  failed: number;
  /** Frames dropped because no key with that id was held for the sender. */
  noKey: number;
  /** Total time spent in AES-GCM in the worker, ms. */
  cryptoMs: number;
}
