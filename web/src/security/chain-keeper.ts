/**
 * Keeps this client's copy of the roster hash chain and verifies every link as it arrives
 * (protocol/roster-chain.ts with WebCrypto SHA-256). Rejects a gap, a fork or a rewritten
 * history; checks media senders and the server's `media.receivers` report against the
 * verified roster; raises warnings when the security code changes, the meeting is unlocked
 * or verification fails. Framework-free: the UI subscribes with onChange().
 */
import { rosterFromChain, securityCode, verifyRosterChain, type ChainProblem, type RosterEvent } from '../../../protocol/roster-chain.js';
import { sha256Hex } from './encoding.js';

export type Member = { displayName: string; role: string; identityKey?: string };

export type SecurityWarning =
  | { kind: 'code-changed'; code: string; at: number }
  | { kind: 'unlocked'; at: number }
  | { kind: 'chain-invalid'; problem: ChainProblem | { kind: 'rewritten'; at: number }; at: number }
  | { kind: 'unknown-receiver'; publisherId: string; receiverId: string; at: number }
  | { kind: 'unknown-sender'; participantId: string; at: number };

export interface ChainState {
  verified: boolean;
  head: string | null;
  code: string | null;
  length: number;
  locked: boolean;
  members: Map<string, Member>;
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
  readonly #listeners = new Set<(s: ChainState) => void>();
  readonly #seen = new Set<string>();

  constructor(meetingId: string) {
    this.meetingId = meetingId;
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
      this.#recompute(before, chain);
    });
  }

  /** One `roster.event`: must be the next link. */
  append(e: RosterEvent): Promise<void> {
    return this.#run(async () => {
      if (!this.#verified) return;
      const last = this.#events.at(-1);
      if (last && e.seq <= last.seq && this.#events[e.seq]?.hash === e.hash) return; // duplicate
      const problem = await verifyRosterChain([e], sha256Hex, {
        meetingId: this.meetingId,
        fromSeq: this.#events.length,
        fromHash: last?.hash ?? '0'.repeat(64),
      });
      if (problem) {
        this.#fail(problem);
        return;
      }
      const before = this.head;
      this.#events.push(e);
      this.#recompute(before, [e]);
    });
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

  #recompute(before: string | null, added: readonly RosterEvent[]): void {
    this.#members = rosterFromChain(this.#events);
    let locked = false;
    for (const e of this.#events) if (e.kind === 'lock' || e.kind === 'unlock') locked = e.kind === 'lock';
    this.#locked = locked;
    const now = Date.now();
    if (before !== null && this.head !== before) {
      const code = securityCode(this.head ?? '');
      this.#warnings = this.#warnings.filter((w) => w.kind !== 'code-changed');
      this.#warnings.push({ kind: 'code-changed', code, at: now });
    }
    if (before !== null && added.some((e) => e.kind === 'unlock')) this.#warnings.push({ kind: 'unlocked', at: now });
    this.#emit();
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
