/**
 * The log's side of C2SP tlog-witness: each new checkpoint goes to every configured witness
 * with a consistency proof from the size that witness last cosigned; a 409 with a size resyncs
 * once, anything else raises an alarm (log line, counter, status). The cosignatures that verify
 * are kept with the checkpoint, which is then served with them (tlog-cosignature lines).
 */
import { z } from 'zod';
import { AppError } from '../../protocol/errors.js';
import type { SignedCheckpoint } from './checkpoint.js';
import { COSIGNATURE_ALG, parseVerifierKey, verifyCosignature, type VerifierKey } from './cosignature.js';
import type { LogLogger } from './log-types.js';
import { parseSignedNote } from './note.js';
import { formatAddCheckpoint } from './witness.js';

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

/** What the log knows of one witness, for operators (and the public, nothing in it is secret). */
export interface WitnessStatus {
  name: string;
  key: string;
  url: string;
  /** Size of the latest checkpoint this witness cosigned for us (0: none yet this run). */
  cosignedSize: number;
  alarms: number;
  lastAlarm: string | null;
}

export interface Cosigner {
  /** Send `cp` to every witness (rounds run one at a time; a newer checkpoint replaces a queued one). */
  submit(cp: SignedCheckpoint): Promise<void>;
  /** The newest checkpoint whose round finished, as a note with the cosignatures it got; null before any. */
  cosigned(): { checkpoint: SignedCheckpoint; note: string; cosignatures: number } | null;
  status(): WitnessStatus[];
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
}

interface Peer {
  config: WitnessConfig;
  key: VerifierKey;
  endpoint: string;
  size: number;
  alarms: number;
  lastAlarm: string | null;
}

/** Build the submitter over the configured witnesses. */
export function createCosigner(opts: CosignerOptions): Cosigner {
  const peers: Peer[] = opts.witnesses.map((config) => ({
    config,
    key: parseVerifierKey(config.key)!,
    endpoint: `${config.url.replace(/\/+$/, '')}/add-checkpoint`,
    size: 0,
    alarms: 0,
    lastAlarm: null,
  }));
  let done: { checkpoint: SignedCheckpoint; note: string; cosignatures: number } | null = null;
  let running: Promise<void> | null = null;
  let queued: SignedCheckpoint | null = null;
  let closed = false;

  function alarm(peer: Peer, reason: string): void {
    peer.alarms++;
    peer.lastAlarm = reason;
    opts.logger?.error({ witness: peer.config.name, reason }, 'witness alarm: a witness did not cosign the checkpoint');
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
        alarm(peer, `the witness cosigned size ${old} but our checkpoint is ${cp.treeSize}: this log was rolled back or forked`);
        return '';
      }
      const proof = old === 0 || old === cp.treeSize ? [] : opts.consistencyProof(old, cp.treeSize);
      const res = await post(peer, formatAddCheckpoint(old, proof, cp.note));
      if (res.status === 200) return keepValid(peer, cp, res.text);
      const size = res.status === 409 && res.type.startsWith('text/x.tlog.size') ? /^(0|[1-9][0-9]*)\n$/.exec(res.text) : null;
      if (!size || Number(size[1]) === old) {
        alarm(peer, `add-checkpoint ${cp.treeSize} from ${old} answered ${res.status}: ${res.text.trim().slice(0, 200)}`);
        return '';
      }
      old = Number(size[1]); // resync: the witness told us what it last cosigned
    }
    alarm(peer, `add-checkpoint ${cp.treeSize} still conflicts after a resync`);
    return '';
  }

  async function keepValid(peer: Peer, cp: SignedCheckpoint, text: string): Promise<string> {
    const note = parseSignedNote(cp.note + text);
    const body = cp.note.slice(0, cp.note.indexOf('\n\n') + 1);
    if (!note || !(await verifyCosignature(body, note.signatures, peer.key, (k, m, sig) => opts.verifyEd25519(k, m, sig)))) {
      alarm(peer, 'the witness answered 200 without a valid cosignature by its key');
      return '';
    }
    peer.size = cp.treeSize;
    // Only the line made by this witness's key travels on (a witness may return others).
    return text
      .split('\n')
      .filter((l) => l.startsWith(`\u2014 ${peer.key.name} `))
      .map((l) => `${l}\n`)
      .join('');
  }

  async function round(cp: SignedCheckpoint): Promise<void> {
    const lines = await Promise.all(
      peers.map((p) =>
        ask(p, cp).catch((err: unknown) => {
          alarm(p, `unreachable: ${err instanceof Error ? err.message : String(err)}`);
          return '';
        }),
      ),
    );
    const got = lines.filter((l) => l !== '');
    if (!done || cp.treeSize >= done.checkpoint.treeSize) done = { checkpoint: cp, note: cp.note + got.join(''), cosignatures: got.length };
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
    async submit(cp) {
      if (peers.length === 0 || closed) return;
      queued = cp;
      pump();
      while (running) await running;
    },
    cosigned: () => done,
    status: () =>
      peers.map((p) => ({ name: p.config.name, key: p.config.key, url: p.config.url, cosignedSize: p.size, alarms: p.alarms, lastAlarm: p.lastAlarm })),
    close() {
      closed = true;
    },
  };
}
