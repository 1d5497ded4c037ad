/**
 * The second-person desk: a privileged command that can remove, refuse, relocate or grant is
 * requested by one operator and waits here until a second, different and unlinked operator
 * approves it. Only then does the command run — and each command writes its own log entry
 * before its effect. See docs/powers.md.
 *
 * Pending commands and the role ledger are rows in the database (migration 007), so a request
 * survives a restart and a second admin may approve it on any node of a cluster.
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
import type { PolicyStore } from './types.js';

export type { PendingCommand, PowerKind } from '../../protocol/policy.js';

/** Pending commands expire unapproved after a day (nothing happens). */
export const PENDING_TTL_MS = 24 * 3600 * 1000;
/** At most this many commands wait at once (a lone admin cannot flood the desk). */
export const MAX_PENDING = 200;

/** Where the desk and the ledger keep their rows (PolicyStore): shared by every node, kept across restarts. */
export type DeskStore = Pick<PolicyStore, 'insertPendingCommand' | 'listPendingCommands' | 'takePendingCommand' | 'addGrantLinks' | 'listGrantLinks'>;

/** Who requested and who approved each role grant, per account that received it (in the database). */
export class RoleLedger {
  readonly #store: DeskStore;
  readonly #now: () => number;

  constructor(store: DeskStore, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** Remember that `requestedBy` and `approvedBy` gave `account` a role. */
  async note(account: string, requestedBy: string, approvedBy: string): Promise<void> {
    await this.#store.addGrantLinks(account, [...new Set([requestedBy, approvedBy])], this.#now());
  }

  /** Could these two accounts be one person (one made the other, directly or through others)? */
  async linked(a: string, b: string): Promise<boolean> {
    if (a === b) return true;
    const granters = new Map<string, string[]>();
    for (const l of await this.#store.listGrantLinks()) granters.set(l.account, [...(granters.get(l.account) ?? []), l.granter]);
    const ancestors = (account: string): Set<string> => {
      const seen = new Set<string>();
      const todo = [account];
      for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
        for (const g of granters.get(next) ?? []) {
          if (!seen.has(g)) {
            seen.add(g);
            todo.push(g);
          }
        }
      }
      return seen;
    };
    return ancestors(a).has(b) || ancestors(b).has(a);
  }
}

/** Runs an approved command from what was stored for it (powers.ts commandRunner). */
export type CommandRunner = (c: PendingCommand, approverId: string) => Promise<unknown>;

/**
 * The pending commands, in the database: a request survives a restart of the node that took it,
 * and any node can list and approve it. What runs on approval is rebuilt from the stored kind
 * and details, never a closure held in one process's memory.
 */
export class CommandDesk {
  readonly #store: DeskStore;
  readonly #now: () => number;
  readonly #ledger: RoleLedger;
  #run: CommandRunner = () => Promise.reject(new AppError('INTERNAL'));

  constructor(store: DeskStore, now: () => number, ledger: RoleLedger) {
    this.#store = store;
    this.#now = now;
    this.#ledger = ledger;
  }

  /** Set once by the engine: how each kind of command runs (powers.ts). */
  setRunner(run: CommandRunner): void {
    this.#run = run;
  }

  /** Park a command until a second person approves it. */
  async request(kind: PowerKind, requestedBy: string, summary: string, details: Record<string, unknown>): Promise<PendingCommand> {
    const at = this.#now();
    if ((await this.#store.listPendingCommands(at)).length >= MAX_PENDING)
      throw new AppError('RATE_LIMITED', 'Too many commands are waiting for a second person.');
    const c: PendingCommand = { id: randomUUID(), kind, summary, details, requestedBy, requestedAt: at, expiresAt: at + PENDING_TTL_MS };
    await this.#store.insertPendingCommand(c);
    return c;
  }

  list(): Promise<PendingCommand[]> {
    return this.#store.listPendingCommands(this.#now());
  }

  /** The second person: not the requester, not linked to them. Runs the command (it logs first). */
  async approve(id: string, approverId: string): Promise<{ command: PendingCommand; result: unknown }> {
    const c = (await this.list()).find((x) => x.id === id);
    if (!c) throw new AppError('NOT_FOUND', 'No such pending command (it may have expired or been decided).');
    if (c.requestedBy === approverId) throw new AppError('SELF_APPROVAL', 'The person who requested a command cannot approve it.');
    if (await this.#ledger.linked(c.requestedBy, approverId)) throw new AppError('LINKED_APPROVAL');
    // Once, across every node: a second approval of the same command finds nothing.
    const taken = await this.#store.takePendingCommand(id, this.#now());
    if (!taken) throw new AppError('NOT_FOUND', 'No such pending command (it may have expired or been decided).');
    try {
      return { command: taken, result: await this.#run(taken, approverId) };
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'INTERNAL') await this.#store.insertPendingCommand(taken).catch(() => undefined); // not done: it can be retried
      throw err;
    }
  }

  /** Withdrawn by the requester or refused by another admin: nothing happens. */
  async reject(id: string): Promise<PendingCommand> {
    const c = await this.#store.takePendingCommand(id, this.#now());
    if (!c) throw new AppError('NOT_FOUND', 'No such pending command.');
    return c;
  }
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
