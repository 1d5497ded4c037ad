/**
 * One meeting's security session: the verified roster chain, the media keys, and the
 * encoded-transform hook for MediaClient. Framework-free; the meeting room creates one per
 * join result and mounts <SecurityPanel session={…}/>. See docs/security.md.
 */
import type { RosterEvent } from '../../../protocol/roster-chain.js';
import type { JoinResult, MeetingInfo } from '../../../protocol/signaling.js';
import { ChainKeeper, type ChainState } from './chain-keeper.js';
import { observeE2ee, type PinStore } from './pins.js';
import type { DeviceIdentity } from './identity.js';
import { KeyManager, type KeyEvent } from './key-manager.js';
import type { KeyPins } from './pins.js';
import type { TransformOptions, WorkerMessage, WorkerStats } from './worker-protocol.js';

type SecurityEventName = 'roster.event' | 'media.receivers' | 'e2ee.key' | 'meeting.updated';

/** The part of the signaling client the session uses (web/src/lib/signaling.ts fits). */
export interface SecuritySignaling {
  request(type: 'e2ee.key', payload: { to: string; blob: string }): Promise<unknown>;
  // `any` so web/src/lib/signaling.ts's generic on() fits; each callback below is typed.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: SecurityEventName, cb: (data: any) => void): () => void;
}

export type EncryptionState = 'off' | 'unsupported' | 'waiting-for-keys' | 'on';

export interface SessionOptions {
  signaling: SecuritySignaling;
  join: JoinResult;
  identity: DeviceIdentity;
  /** Encrypt media end to end (host option; default for meetings marked e2ee). */
  e2ee?: boolean;
  /** Make the transform worker (default: Vite's module worker; see worker-factory.ts). */
  createWorker?: () => Worker;
  rotateMs?: number;
  exposeKeysForTest?: boolean;
  /** Where meetings seen as E2EE are remembered (default: localStorage; see pins.ts). */
  pins?: PinStore;
  /** Identity keys trusted per account (default: localStorage; see pins.ts). */
  keyPins?: KeyPins;
}

type ScriptTransformCtor = new (worker: Worker, options: TransformOptions) => unknown;

/** What this browser offers for encoded transforms. */
export function transformSupport(): 'script-transform' | 'encoded-streams' | 'none' {
  const g = globalThis as { RTCRtpScriptTransform?: unknown; RTCRtpSender?: { prototype: object } };
  if (typeof g.RTCRtpScriptTransform === 'function') return 'script-transform';
  if (g.RTCRtpSender && 'createEncodedStreams' in g.RTCRtpSender.prototype) return 'encoded-streams';
  return 'none';
}

export class SecuritySession {
  readonly chain: ChainKeeper;
  /**
   * Whether this meeting is end to end encrypted here: fixed when the session starts, true if
   * the server said so or this browser saw it so before (pins.ts). Nothing the server
   * says later turns it off; a claim that it is off raises `downgrade` instead.
   */
  readonly e2ee: boolean;
  readonly keys: KeyManager | null;
  readonly selfId: string;
  readonly #worker: Worker | null;
  readonly #pins: PinStore | undefined;
  readonly #offs: (() => void)[] = [];
  readonly #receiverIds = new WeakMap<RTCRtpReceiver, string>();
  readonly #listeners = new Set<() => void>();
  #n = 0;
  #state: EncryptionState;
  #received = new Set<string>();
  #downgrade = false;

  constructor(o: SessionOptions) {
    this.selfId = o.join.participantId;
    this.#pins = o.pins;
    this.chain = new ChainKeeper(o.join.meeting.meetingId, { selfId: o.join.participantId, ...(o.keyPins ? { pins: o.keyPins } : {}) });
    const mode = observeE2ee(o.join.meeting.meetingId, o.join.meeting.e2ee, o.pins);
    const wanted = o.e2ee ?? mode.e2ee;
    this.e2ee = wanted;
    this.#downgrade = wanted && !o.join.meeting.e2ee;
    const support = transformSupport();
    this.#state = !wanted ? 'off' : support !== 'script-transform' ? 'unsupported' : 'waiting-for-keys';
    this.#worker = this.#state === 'waiting-for-keys' && o.createWorker ? o.createWorker() : null;
    if (this.#state === 'waiting-for-keys' && !this.#worker) this.#state = 'unsupported';
    const sig = o.signaling;
    this.#offs.push(
      sig.on('roster.event', (e: RosterEvent) => void this.chain.append(e)),
      sig.on('media.receivers', (d: { publisherId: string; receivers: string[] }) => void this.chain.checkReceivers(d.publisherId, d.receivers)),
      this.chain.onChange(() => this.#emit()),
      sig.on('meeting.updated', (m: MeetingInfo) => this.#claimed(m)),
    );
    if (this.#worker) {
      const worker = this.#worker;
      this.keys = new KeyManager({
        meetingId: o.join.meeting.meetingId,
        selfId: this.selfId,
        identity: o.identity,
        chain: this.chain,
        send: (to, blob) => sig.request('e2ee.key', { to, blob }),
        post: (m: WorkerMessage) => worker.postMessage(m),
        ...(o.rotateMs !== undefined ? { rotateMs: o.rotateMs } : {}),
        ...(o.exposeKeysForTest ? { exposeKeysForTest: true } : {}),
      });
      this.#offs.push(
        sig.on('e2ee.key', (d: { from: string; blob: string }) => void this.keys?.receive(d.from, d.blob)),
        this.keys.onEvent((e: KeyEvent) => {
          if (e.kind === 'received') this.#received.add(e.from);
          if (e.kind !== 'rejected' && this.#state === 'waiting-for-keys' && this.#received.size > 0) this.#state = 'on';
          this.#emit();
        }),
      );
    } else {
      this.keys = null;
    }
    void this.chain.load(o.join.chain).then(() => {
      this.keys?.start();
      if (this.#state === 'waiting-for-keys' && this.chain.members.size <= 1) this.#state = 'on';
      this.#emit();
    });
  }

  /** After a reconnect re-joined: the new chain must extend the one already verified. */
  rejoined(result: JoinResult): Promise<void> {
    this.#claimed(result.meeting);
    return this.chain.load(result.chain);
  }

  /**
   * The server claimed a setting for this meeting. Claiming plain for an E2EE session changes
   * nothing here (media and chat stay end to end encrypted) and raises the downgrade alarm.
   */
  #claimed(m: MeetingInfo): void {
    if (m.meetingId !== this.chain.meetingId) return;
    observeE2ee(m.meetingId, m.e2ee, this.#pins);
    if (this.e2ee && !m.e2ee && !this.#downgrade) {
      this.#downgrade = true;
      this.#emit();
    }
  }

  /** The server claimed this E2EE meeting is plain (it stays encrypted here): show the alarm. */
  get downgradeClaimed(): boolean {
    return this.#downgrade;
  }

  /**
   * What `chat.send` carries for `text`: sealed in an E2EE session (rejects when this browser
   * holds no key; it never falls back to plain), plain text otherwise. The one place the
   * client decides, so a `meeting.updated` from the server cannot make it send plain words.
   */
  async chatPayload(text: string): Promise<{ sealed: string } | { text: string }> {
    if (!this.e2ee) return { text };
    return { sealed: await this.sealChat(text) };
  }

  get encryption(): EncryptionState {
    return this.#state;
  }

  /** The hook MediaClient calls for each sender and (re)assigned receiver. */
  readonly transform = {
    sender: (s: RTCRtpSender): void => {
      if (!this.#worker) return;
      this.#attach(s, { side: 'send' });
    },
    receiver: (r: RTCRtpReceiver, participantId: string): void => {
      this.chain.checkSender(participantId);
      if (!this.#worker) return;
      let id = this.#receiverIds.get(r);
      if (id === undefined) {
        id = `r${++this.#n}`;
        this.#receiverIds.set(r, id);
        this.#worker.postMessage({ type: 'bind', receiverId: id, participantId } satisfies WorkerMessage);
        this.#attach(r, { side: 'recv', receiverId: id });
      } else {
        this.#worker.postMessage({ type: 'bind', receiverId: id, participantId } satisfies WorkerMessage);
      }
    },
  };

  /** Seal a chat message (E2EE meetings). Rejects when this browser holds no key yet. */
  sealChat(text: string): Promise<string> {
    if (!this.keys) return Promise.reject(new Error('end-to-end encryption is not available in this browser'));
    return this.keys.sealChat(text);
  }

  /** Open a sealed chat message from `from`; null when it cannot be opened here. */
  openChat(from: string, sealed: string): Promise<string | null> {
    return this.keys ? this.keys.openChat(from, sealed) : Promise.resolve(null);
  }

  /** Counters from the transform worker (benchmarks, diagnostics). */
  workerStats(): Promise<WorkerStats | null> {
    const w = this.#worker;
    if (!w) return Promise.resolve(null);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(null), 2000);
      const on = (e: MessageEvent<{ type: string; stats: WorkerStats }>) => {
        if (e.data.type !== 'stats') return;
        clearTimeout(t);
        w.removeEventListener('message', on);
        resolve(e.data.stats);
      };
      w.addEventListener('message', on);
      w.postMessage({ type: 'stats' } satisfies WorkerMessage);
    });
  }

  state(): ChainState & { encryption: EncryptionState; keyId: number; e2ee: boolean; downgrade: boolean } {
    return { ...this.chain.state(), encryption: this.#state, keyId: this.keys?.keyId ?? -1, e2ee: this.e2ee, downgrade: this.#downgrade };
  }

  onChange(cb: () => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
    this.keys?.close();
    this.#worker?.terminate();
    this.#listeners.clear();
  }

  #attach(target: RTCRtpSender | RTCRtpReceiver, options: TransformOptions): void {
    const Ctor = (globalThis as unknown as { RTCRtpScriptTransform: ScriptTransformCtor }).RTCRtpScriptTransform;
    (target as unknown as { transform: unknown }).transform = new Ctor(this.#worker as Worker, options);
  }

  #emit(): void {
    for (const cb of this.#listeners) {
      try {
        cb();
      } catch (err) {
        console.error('security listener failed', err);
      }
    }
  }
}
