/**
 * Native callbacks (libdatachannel via node-datachannel) must never let an exception reach the
 * process: one thrown in a track or connection callback aborts Node, and with it every meeting
 * on the node. Every callback the media plane registers goes through `guard()`.
 */

/** Where a contained fault is reported: which callback failed and why. */
export type FaultSink = (where: string, err: unknown) => void;

/** Minimal logger the media plane writes to (pino's shape). */
export interface MediaLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Console fallback for tests and tools that build the SFU without a pino logger. */
export const consoleLogger: MediaLogger = {
  warn: (obj, msg) => console.warn(`media: ${msg}`, obj),
  error: (obj, msg) => console.error(`media: ${msg}`, obj),
};

/** Wrap a native callback: an exception goes to `onFault` (itself guarded), never further. */
export function guard<A extends unknown[]>(where: string, onFault: FaultSink, fn: (...a: A) => void): (...a: A) => void {
  return (...a: A): void => {
    try {
      fn(...a);
    } catch (err) {
      try {
        onFault(where, err);
      } catch {
        /* the fault sink failed too; nothing else may escape a native callback */
      }
    }
  };
}

/** Run a native call that may throw in a state we did not foresee; report and return false instead. */
export function attempt(where: string, onFault: FaultSink, fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    onFault(where, err);
    return false;
  }
}

/** A short printable reason for a log line. */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
