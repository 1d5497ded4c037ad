/**
 * Keeps this client's copy of the roster hash chain and verifies every link as it arrives
 * (protocol/roster-chain.ts with WebCrypto SHA-256). Rejects a gap, a fork or a rewritten
 * history; checks media senders and the server's `media.receivers` report against the
 * verified roster; raises warnings when the security code changes, the meeting is unlocked
 * or verification fails. Framework-free: the UI subscribes with onChange().
 *
 * Incremental: the members, the lock state and the head are kept as events arrive, so an event
 * costs one hash and a map update, not a walk of the whole chain; events that arrive together
 * (one `roster.events` frame) are verified in one pass and announced to listeners once.
 */
import {
  applyRosterEvent,
  GENESIS,
  rosterFromChain,
  securityCode,
  verifyRosterChain,
  type ChainMember,
  type ChainProblem,
  type RosterEvent,
} from '../../../protocol/roster-chain.js';
import { sha256Hex } from './encoding.js';
import { KeyPins } from './pins.js';

export type Member = ChainMember;

export type SecurityWarning =
  | { kind: 'code-changed'; code: string; at: number }
  | { kind: 'unlocked'; at: number }
  | { kind: 'chain-invalid'; problem: ChainProblem | { kind: 'rewritten'; at: number }; at: number }
  | { kind: 'unknown-receiver'; publisherId: string; receiverId: string; at: number }
  | { kind: 'unknown-sender'; participantId: string; at: number }
  /** A member's identity key is not the one this browser knows for their account (TOFU). */
  | { kind: 'key-changed'; participantId: string; displayName: string; at: number };

export interface ChainState {
  verified: boolean;
  head: string | null;
  code: string | null;
  length: number;
  locked: boolean;
  members: Map<string, Member>;
  /** Members whose changed key is not confirmed: no media key is sent to them. */
  untrusted: Set<string>;
  warnings: SecurityWarning[];
}

export class ChainKeeper {
  readonly meetingId: string;
  #events: RosterEvent[] = [];
  #verified = true;
  #locked = false;
  #members = new Map<string, Member>();
  #warnings: SecurityWarning[] = [];
  #queue: Promise<void> = Promise.resolve();
  /** Events received but not yet verified; one task takes them all. */
  #incoming: RosterEvent[] = [];
  #draining: Promise<void> | null = null;
  readonly #listeners = new Set<(s: ChainState) => void>();
  readonly #seen = new Set<string>();
  readonly #untrusted = new Set<string>();
  readonly #pins: KeyPins;
  readonly #selfId: string | undefined;

  /** `selfId`: this device's own entry, which is not checked against the key pins. */
  constructor(meetingId: string, opts: { pins?: KeyPins; selfId?: string } = {}) {
    this.meetingId = meetingId;
    this.#pins = opts.pins ?? new KeyPins();
    this.#selfId = opts.selfId;
  }

  /** The chain from a join result (or a re-join): must verify and extend what we hold. */
  load(chain: readonly RosterEvent[]): Promise<void> {
    return this.#run(async () => {
      const problem = await verifyRosterChain(chain, sha256Hex, { meetingId: this.meetingId });
      if (problem) {
        this.#fail(problem);
        return;
      }
      // A re-join must show the same history we already verified, then more.
      for (let i = 0; i < this.#events.length; i++) {
        if (chain[i]?.hash !== this.#events[i]?.hash) {
          this.#fail({ kind: 'rewritten', at: i });
          return;
        }
      }
      const before = this.head;
      this.#events = [...chain];
      this.#members = rosterFromChain(chain);
      let locked = false;
      for (const e of chain) if (e.kind === 'lock' || e.kind === 'unlock') locked = e.kind === 'lock';
      this.#locked = locked;
      this.#changed(before, chain);
    });
  }

  /** One `roster.event`: must be the next link. Events appended in one turn are verified together. */
  append(e: RosterEvent): Promise<void> {
    this.#incoming.push(e);
    this.#draining ??= this.#run(async () => {
      this.#draining = null;
      await this.#verifyNew(this.#incoming.splice(0));
    });
    return this.#draining;
  }

  async #verifyNew(incoming: readonly RosterEvent[]): Promise<void> {
    if (!this.#verified) return;
    // A batch can repeat what the join result already held: skip those, check the rest.
    const fresh = incoming.filter((e) => !(e.seq < this.#events.length && this.#events[e.seq]?.hash === e.hash));
    if (fresh.length === 0) return;
    const problem = await verifyRosterChain(fresh, sha256Hex, {
      meetingId: this.meetingId,
      fromSeq: this.#events.length,
      fromHash: this.head ?? GENESIS,
      members: this.#members.keys(),
    });
    if (problem) {
      this.#fail(problem);
      return;
    }
    const before = this.head;
    for (const e of fresh) {
      this.#events.push(e);
      applyRosterEvent(this.#members, e);
      if (e.kind === 'lock' || e.kind === 'unlock') this.#locked = e.kind === 'lock';
    }
    this.#changed(before, fresh);
  }

  get head(): string | null {
    return this.#events.at(-1)?.hash ?? null;
  }
  get events(): readonly RosterEvent[] {
    return this.#events;
  }
  get verified(): boolean {
    return this.#verified;
  }
  /** Who the verified chain says is in the meeting (empty once verification failed). */
  get members(): ReadonlyMap<string, Member> {
    return this.#verified ? this.#members : new Map();
  }
  isMember(participantId: string): boolean {
    return this.#verified && this.#members.has(participantId);
  }

  /** A verified member whose key this browser trusts: the only ones media keys go to. */
  isTrusted(participantId: string): boolean {
    return this.isMember(participantId) && !this.#untrusted.has(participantId);
  }

  /** The person confirmed a changed key (compared out of band): trust it for their account. */
  trustKey(participantId: string): void {
    const m = this.#members.get(participantId);
    if (!m || !this.#untrusted.has(participantId)) return;
    if (m.account !== undefined && m.identityKey !== undefined) this.#pins.trust(m.account, m.identityKey);
    this.#untrusted.delete(participantId);
    this.#warnings = this.#warnings.filter((w) => !(w.kind === 'key-changed' && w.participantId === participantId));
    this.#emit();
  }

  /** The server says `receivers` are being forwarded `publisherId`'s media: all must be members. */
  checkReceivers(publisherId: string, receivers: readonly string[]): string[] {
    const unknown = receivers.filter((r) => !this.isMember(r));
    for (const r of unknown) this.#warn({ kind: 'unknown-receiver', publisherId, receiverId: r, at: Date.now() }, `r:${r}`);
    if (!this.isMember(publisherId)) this.#warn({ kind: 'unknown-sender', participantId: publisherId, at: Date.now() }, `s:${publisherId}`);
    return unknown;
  }

  /** A media stream claims to come from `participantId`: it must be a member. */
  checkSender(participantId: string): boolean {
    if (this.isMember(participantId)) return true;
    this.#warn({ kind: 'unknown-sender', participantId, at: Date.now() }, `s:${participantId}`);
    return false;
  }

  state(): ChainState {
    const head = this.head;
    return {
      verified: this.#verified,
      head,
      code: head && this.#verified ? securityCode(head) : null,
      length: this.#events.length,
      locked: this.#locked,
      members: new Map(this.members),
      untrusted: new Set(this.#untrusted),
      warnings: [...this.#warnings],
    };
  }

  onChange(cb: (s: ChainState) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  dismiss(index: number): void {
    this.#warnings.splice(index, 1);
    this.#emit();
  }

  #run(task: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(task, task);
    return this.#queue;
  }

  /** After the members, lock and head have moved on: key checks, warnings, one announcement. */
  #changed(before: string | null, added: readonly RosterEvent[]): void {
    for (const id of this.#untrusted) if (!this.#members.has(id)) this.#untrusted.delete(id);
    this.#checkKeys(added);
    const now = Date.now();
    if (before !== null && this.head !== before) {
      const code = securityCode(this.head ?? '');
      this.#warnings = this.#warnings.filter((w) => w.kind !== 'code-changed');
      this.#warnings.push({ kind: 'code-changed', code, at: now });
    }
    if (before !== null && added.some((e) => e.kind === 'unlock')) this.#warnings.push({ kind: 'unlocked', at: now });
    this.#emit();
  }

  /** Trust on first use: a member's key must be one this browser knows for their account. */
  #checkKeys(added: readonly RosterEvent[]): void {
    for (const e of added) {
      const id = e.participantId;
      if (e.kind !== 'join' || id === undefined || id === this.#selfId || !this.#members.has(id)) continue;
      if (e.account === undefined || e.identityKey === undefined) continue;
      if (this.#pins.check(e.account, e.identityKey) !== 'changed') continue;
      this.#untrusted.add(id);
      this.#warnings.push({ kind: 'key-changed', participantId: id, displayName: e.displayName ?? '', at: Date.now() });
    }
  }

  #fail(problem: ChainProblem | { kind: 'rewritten'; at: number }): void {
    this.#verified = false;
    this.#warnings.push({ kind: 'chain-invalid', problem, at: Date.now() });
    this.#emit();
  }

  #warn(w: SecurityWarning, key: string): void {
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#warnings.push(w);
    this.#emit();
  }

  #emit(): void {
    const s = this.state();
    for (const cb of this.#listeners) {
      try {
        cb(s);
      } catch (err) {
        console.error('chain listener failed', err);
      }
    }
  }
}
