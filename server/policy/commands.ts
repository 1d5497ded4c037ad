/**
 * The second-person desk: a privileged command that can remove, refuse, relocate or grant is
 * requested by one operator and waits here until a second, different and unlinked operator
 * approves it. Only then does the command run — and each command writes its own log entry
 * before its effect. See docs/powers.md.
 *
 * "Unlinked": one person controlling two accounts must not pass as two people. The role
 * ledger remembers, for every account that was granted a role through this desk, who
 * requested and who approved it; two accounts are linked when either is an ancestor of the
 * other in that graph (so a requester's sock puppet, made an admin with someone's approval,
 * can never be the requester's second person, nor can the accounts it later grants roles to).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../protocol/errors.js';
import type { PendingCommand, PowerKind } from '../../protocol/policy.js';

export type { PendingCommand, PowerKind } from '../../protocol/policy.js';

/** Pending commands expire unapproved after a day (nothing happens). */
export const PENDING_TTL_MS = 24 * 3600 * 1000;
/** At most this many commands wait at once (a lone admin cannot flood the desk). */
export const MAX_PENDING = 200;

/** Who requested and who approved each role grant, per account that received it. */
export class RoleLedger {
  readonly #granters = new Map<string, Set<string>>();

  /** Remember that `requestedBy` and `approvedBy` gave `account` a role. */
  note(account: string, requestedBy: string, approvedBy: string): void {
    let s = this.#granters.get(account);
    if (!s) {
      s = new Set();
      this.#granters.set(account, s);
    }
    s.add(requestedBy).add(approvedBy);
  }

  #ancestors(account: string): Set<string> {
    const seen = new Set<string>();
    const todo = [account];
    for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
      for (const g of this.#granters.get(next) ?? []) {
        if (!seen.has(g)) {
          seen.add(g);
          todo.push(g);
        }
      }
    }
    return seen;
  }

  /** Could these two accounts be one person (one made the other, directly or through others)? */
  linked(a: string, b: string): boolean {
    return a === b || this.#ancestors(a).has(b) || this.#ancestors(b).has(a);
  }
}

interface Waiting extends PendingCommand {
  execute(approverId: string): Promise<unknown>;
}

/** The pending commands of this node (in memory: a restart drops them, and nothing happens). */
export class CommandDesk {
  readonly #pending = new Map<string, Waiting>();
  readonly #now: () => number;
  readonly #ledger: RoleLedger;

  constructor(now: () => number, ledger: RoleLedger) {
    this.#now = now;
    this.#ledger = ledger;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, c] of this.#pending) if (c.expiresAt <= now) this.#pending.delete(id);
  }

  /** Park a command until a second person approves it. */
  request(
    kind: PowerKind,
    requestedBy: string,
    summary: string,
    details: Record<string, unknown>,
    execute: (approverId: string) => Promise<unknown>,
  ): PendingCommand {
    this.#sweep();
    if (this.#pending.size >= MAX_PENDING) throw new AppError('RATE_LIMITED', 'Too many commands are waiting for a second person.');
    const at = this.#now();
    const c: Waiting = { id: randomUUID(), kind, summary, details, requestedBy, requestedAt: at, expiresAt: at + PENDING_TTL_MS, execute };
    this.#pending.set(c.id, c);
    return publicView(c);
  }

  list(): PendingCommand[] {
    this.#sweep();
    return [...this.#pending.values()].map(publicView);
  }

  /** The second person: not the requester, not linked to them. Runs the command (it logs first). */
  async approve(id: string, approverId: string): Promise<{ command: PendingCommand; result: unknown }> {
    this.#sweep();
    const c = this.#pending.get(id);
    if (!c) throw new AppError('NOT_FOUND', 'No such pending command (it may have expired or been decided).');
    if (c.requestedBy === approverId) throw new AppError('SELF_APPROVAL', 'The person who requested a command cannot approve it.');
    if (this.#ledger.linked(c.requestedBy, approverId)) throw new AppError('LINKED_APPROVAL');
    this.#pending.delete(id); // once: a second approval of the same command finds nothing
    try {
      return { command: publicView(c), result: await c.execute(approverId) };
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'INTERNAL') this.#pending.set(id, c); // not done: it can be retried
      throw err;
    }
  }

  /** Withdrawn by the requester or refused by another admin: nothing happens. */
  reject(id: string): PendingCommand {
    const c = this.#pending.get(id);
    if (!c) throw new AppError('NOT_FOUND', 'No such pending command.');
    this.#pending.delete(id);
    return publicView(c);
  }
}

function publicView(c: Waiting): PendingCommand {
  return { id: c.id, kind: c.kind, summary: c.summary, details: c.details, requestedBy: c.requestedBy, requestedAt: c.requestedAt, expiresAt: c.expiresAt };
}

/** Refusals of one (demand, meeting, account or address) within this window are logged once. */
export const REFUSAL_WINDOW_MS = 10 * 60 * 1000;

/** Keys seen within a window (bounded: the oldest are dropped first). */
export class RecentKeys {
  readonly #seen = new Map<string, number>();
  readonly #windowMs: number;
  readonly #max: number;

  constructor(windowMs: number, max = 50_000) {
    this.#windowMs = windowMs;
    this.#max = max;
  }

  /** True when `key` was noted within the window before `now`; notes it otherwise. */
  seen(key: string, now: number): boolean {
    const at = this.#seen.get(key);
    if (at !== undefined && now - at < this.#windowMs) return true;
    this.#seen.delete(key);
    if (this.#seen.size >= this.#max) this.#seen.delete(this.#seen.keys().next().value as string);
    this.#seen.set(key, now);
    return false;
  }
}
