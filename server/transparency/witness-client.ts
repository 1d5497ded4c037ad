/**
 * The log's side of C2SP tlog-witness: each new checkpoint goes to every configured witness
 * with a consistency proof from the size that witness last cosigned; a 409 with a size resyncs
 * once, anything else raises an alarm (log line, counter, status). The cosignatures that verify
 * are kept with the checkpoint, which is then served with them (tlog-cosignature lines).
 */
import { z } from 'zod';
import { AppError } from '../../protocol/errors.js';
import type { SignedCheckpoint } from './checkpoint.js';
import { bytesEqual, toHex } from './bytes.js';
import { COSIGNATURE_ALG, findCosignature, parseVerifierKey, verifyCosignature, type VerifierKey } from './cosignature.js';
import type { CosignatureStore } from './cosignature-store.js';
import type { LogLogger } from './log-types.js';
import { parseSignedNote } from './note.js';
import { formatAddCheckpoint } from './witness.js';
import type { AlarmReason, WitnessAlarm, WitnessStatus } from './witness-status.js';

/** The alarm reason (metric label) for an add-checkpoint answer that is neither 200 nor a usable 409. */
function statusReason(status: number): AlarmReason {
  if (status === 409) return 'conflict';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'refused';
  return 'bad_response';
}

function sameCheckpoint(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return a.treeSize === b.treeSize && bytesEqual(a.rootHash, b.rootHash);
}

/** `WITNESSES`: a JSON array of { name, key (cosignature verifier key), url (submission prefix) }. */
export const WitnessesConfig = z.array(z.object({ name: z.string().min(1), key: z.string().min(1), url: z.url() }));
export type WitnessConfig = z.infer<typeof WitnessesConfig>[number];

/** Parse and check `WITNESSES` (undefined or empty: none). */
export function parseWitnesses(json: string | undefined): WitnessConfig[] {
  if (json === undefined || json.trim() === '') return [];
  const parsed = WitnessesConfig.safeParse(JSON.parse(json));
  if (!parsed.success) throw new AppError('BAD_REQUEST', `WITNESSES: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  for (const w of parsed.data) {
    const key = parseVerifierKey(w.key);
    if (!key || key.alg !== COSIGNATURE_ALG) throw new AppError('BAD_REQUEST', `WITNESSES: ${w.name} needs a cosignature/v1 verifier key (type 0x04)`);
  }
  return parsed.data;
}

export type { AlarmReason, WitnessAlarm, WitnessStatus } from './witness-status.js';

export interface Cosigner {
  /** Load what survived a restart: each witness's last cosigned size, and the stored cosignatures of `latest`. */
  restore(latest: SignedCheckpoint | null): Promise<void>;
  /** Send `cp` to every witness (rounds run one at a time; a newer checkpoint replaces a queued one). */
  submit(cp: SignedCheckpoint): Promise<void>;
  /** The newest checkpoint whose round finished, as a note with the cosignatures it got; null before any. */
  cosigned(): { checkpoint: SignedCheckpoint; note: string; cosignatures: number } | null;
  status(): WitnessStatus[];
  /** The latest alarms, newest first (at most 100). */
  alarms(): WitnessAlarm[];
  close(): void;
}

export interface CosignerOptions {
  witnesses: readonly WitnessConfig[];
  consistencyProof(first: number, second: number): Uint8Array[];
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  logger?: LogLogger | undefined;
  onAlarm?: ((witness: string, reason: string) => void) | undefined;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Where received cosignatures are kept across restarts; default: memory only. */
  store?: CosignatureStore | undefined;
  now?: () => number;
}

interface Peer {
  config: WitnessConfig;
  key: VerifierKey;
  endpoint: string;
  size: number;
  alarms: number;
  lastAlarm: string | null;
  byReason: Partial<Record<AlarmReason, number>>;
}

const MAX_ALARMS = 100;

/** Build the submitter over the configured witnesses. */
export function createCosigner(opts: CosignerOptions): Cosigner {
  const peers: Peer[] = opts.witnesses.map((config) => ({
    config,
    key: parseVerifierKey(config.key)!,
    endpoint: `${config.url.replace(/\/+$/, '')}/add-checkpoint`,
    size: 0,
    alarms: 0,
    lastAlarm: null,
    byReason: {},
  }));
  const now = opts.now ?? Date.now;
  const recent: WitnessAlarm[] = [];
  let done: { checkpoint: SignedCheckpoint; note: string; cosignatures: number } | null = null;
  /** Cosignature lines (with newline) on `done`'s checkpoint, by witness key. */
  let doneLines = new Map<string, string>();
  let running: Promise<void> | null = null;
  let queued: SignedCheckpoint | null = null;
  let closed = false;

  function alarm(peer: Peer, kind: AlarmReason, reason: string): void {
    peer.alarms++;
    peer.lastAlarm = reason;
    peer.byReason[kind] = (peer.byReason[kind] ?? 0) + 1;
    recent.unshift({ at: now(), witness: peer.config.name, reason: kind, message: reason });
    if (recent.length > MAX_ALARMS) recent.length = MAX_ALARMS;
    opts.logger?.error({ witness: peer.config.name, reason: kind, detail: reason }, 'witness alarm: a witness did not cosign the checkpoint');
    opts.onAlarm?.(peer.config.name, reason);
  }

  async function post(peer: Peer, body: string): Promise<{ status: number; type: string; text: string }> {
    const res = await fetch(peer.endpoint, { method: 'POST', body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  /** One witness, one checkpoint: returns the cosignature lines that verify ('' when none). */
  async function ask(peer: Peer, cp: SignedCheckpoint): Promise<string> {
    let old = peer.size;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (old > cp.treeSize) {
        alarm(peer, 'rolled_back', `the witness cosigned size ${old} but our checkpoint is ${cp.treeSize}: this log was rolled back or forked`);
        return '';
      }
      const proof = old === 0 || old === cp.treeSize ? [] : opts.consistencyProof(old, cp.treeSize);
      const res = await post(peer, formatAddCheckpoint(old, proof, cp.note));
      if (res.status === 200) return keepValid(peer, cp, res.text);
      const size = res.status === 409 && res.type.startsWith('text/x.tlog.size') ? /^(0|[1-9][0-9]*)\n$/.exec(res.text) : null;
      if (!size || Number(size[1]) === old) {
        alarm(peer, statusReason(res.status), `add-checkpoint ${cp.treeSize} from ${old} answered ${res.status}: ${res.text.trim().slice(0, 200)}`);
        return '';
      }
      old = Number(size[1]); // resync: the witness told us what it last cosigned
    }
    alarm(peer, 'conflict', `add-checkpoint ${cp.treeSize} still conflicts after a resync`);
    return '';
  }

  async function keepValid(peer: Peer, cp: SignedCheckpoint, text: string): Promise<string> {
    const note = parseSignedNote(cp.note + text);
    const body = cp.note.slice(0, cp.note.indexOf('\n\n') + 1);
    if (!note || !(await verifyCosignature(body, note.signatures, peer.key, (k, m, sig) => opts.verifyEd25519(k, m, sig)))) {
      alarm(peer, 'bad_cosignature', 'the witness answered 200 without a valid cosignature by its key');
      return '';
    }
    peer.size = cp.treeSize;
    // Only the line made by this witness's key travels on (a witness may return others).
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`\u2014 ${peer.key.name} `) && findCosignature(parseSignedNote(`${body}\n${l}\n`)?.signatures ?? [], peer.key));
    if (line === undefined) return '';
    try {
      await opts.store?.save({ treeSize: cp.treeSize, rootHash: toHex(cp.rootHash), witnessKey: peer.config.key, line }, now());
    } catch (err) {
      opts.logger?.error({ err, witness: peer.config.name }, 'could not store a cosignature; it is served until restart');
    }
    return `${line}\n`;
  }

  async function round(cp: SignedCheckpoint): Promise<void> {
    const lines = await Promise.all(
      peers.map((p) =>
        ask(p, cp).catch((err: unknown) => {
          alarm(p, 'unreachable', `unreachable: ${err instanceof Error ? err.message : String(err)}`);
          return '';
        }),
      ),
    );
    if (done && cp.treeSize < done.checkpoint.treeSize) return;
    // The same checkpoint again (a restart): keep the lines it had, newer ones replace them.
    const merged = done && sameCheckpoint(done.checkpoint, cp) ? new Map(doneLines) : new Map<string, string>();
    peers.forEach((p, i) => {
      if (lines[i]) merged.set(p.config.key, lines[i]);
    });
    setDone(cp, merged);
  }

  function setDone(cp: SignedCheckpoint, lines: Map<string, string>): void {
    doneLines = lines;
    // In configured order, so the served note does not change with answer order.
    const ordered = peers.map((p) => lines.get(p.config.key) ?? '').filter((l) => l !== '');
    done = { checkpoint: cp, note: cp.note + ordered.join(''), cosignatures: ordered.length };
  }

  async function restore(latest: SignedCheckpoint | null): Promise<void> {
    if (!opts.store || peers.length === 0) return;
    const sizes = await opts.store.lastCosigned();
    for (const p of peers) p.size = sizes.get(p.config.key) ?? 0;
    if (!latest) return;
    const body = latest.note.slice(0, latest.note.indexOf('\n\n') + 1);
    const lines = new Map<string, string>();
    for (const row of await opts.store.forCheckpoint(latest.treeSize, toHex(latest.rootHash))) {
      const peer = peers.find((p) => p.config.key === row.witnessKey);
      const note = parseSignedNote(`${body}\n${row.line}\n`);
      // A row someone wrote into the database is served only if it verifies.
      if (peer && note && (await verifyCosignature(body, note.signatures, peer.key, (k, m, sig) => opts.verifyEd25519(k, m, sig))))
        lines.set(peer.config.key, `${row.line}\n`);
    }
    if (lines.size > 0) setDone(latest, lines);
  }

  function pump(): void {
    if (running || !queued || closed) return;
    const cp = queued;
    queued = null;
    running = round(cp).finally(() => {
      running = null;
      pump();
    });
  }

  return {
    restore,
    async submit(cp) {
      if (peers.length === 0 || closed) return;
      queued = cp;
      pump();
      while (running) await running;
    },
    cosigned: () => done,
    status: () =>
      peers.map((p) => ({
        name: p.config.name,
        key: p.config.key,
        url: p.config.url,
        cosignedSize: p.size,
        alarms: p.alarms,
        lastAlarm: p.lastAlarm,
        alarmsByReason: { ...p.byReason },
      })),
    alarms: () => recent.map((a) => ({ ...a })),
    close() {
      closed = true;
    },
  };
}
