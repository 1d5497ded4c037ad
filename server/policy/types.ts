/** Shapes of the policy domain: demands, restrictions, account policy, and its ports. */
import type { AccountPolicyRow, Demand, DemandDocumentMeta, DemandOutcome, DemandState, PendingCommand, Restriction } from '../../protocol/policy.js';
import type { LogEntry, PseudonymKind } from '../../protocol/transparency.js';

export type { Demand, DemandAsk, DemandDocumentMeta, DemandOutcome, DemandState, DemandTargets, Restriction } from '../../protocol/policy.js';

export type NewDemand = Omit<Demand, 'id' | 'state' | 'decidedBy' | 'decidedAt' | 'decisionReason' | 'endedBy' | 'endedAt' | 'document' | 'createdAt'> & {
  state: DemandState;
  createdAt: number;
};

export interface DemandDocument extends DemandDocumentMeta {
  bytes: Uint8Array;
}

export type RestrictionScope = 'instance' | 'account' | 'meeting';

export interface StoredRestriction extends Restriction {
  scope: RestrictionScope;
  subject: string;
  updatedBy: string;
  updatedAt: number;
}

/** Account creation rules for people located in one country (set by the instance admin). */
export interface AccountPolicy extends AccountPolicyRow {
  updatedBy: string;
  updatedAt: number;
}

/** Where policy/ keeps its state. Kysely in production; an in-memory one for property tests. */
export interface PolicyStore {
  insertDemand(d: NewDemand, doc: DemandDocument | null): Promise<Demand>;
  /** Only to undo an insert whose log entry could not be written (nothing half-applied). */
  deleteDemand(id: number): Promise<void>;
  getDemand(id: number): Promise<Demand | null>;
  listDemands(): Promise<Demand[]>;
  listDemandsInState(state: DemandState): Promise<Demand[]>;
  /**
   * [cluster] Run one state change of a demand exactly once across every process sharing this
   * store. `fn` gets the demand as it is under the lock (null: no such demand) and a
   * compare-and-set to apply after it has appended the log entry (write-ahead); the change
   * commits when `fn` returns. On PostgreSQL: a transaction holding `SELECT … FOR UPDATE` on the
   * demand row. Absent (memory store) or on SQLite (one process): the engine's in-process lock
   * is the only one needed, and this reads and writes directly.
   */
  exclusive?<T>(id: number, fn: (lock: DemandLock) => Promise<T>): Promise<T>;
  /** Compare-and-set on state; false when the demand was not in `from`. */
  transition(
    id: number,
    from: DemandState,
    patch: Partial<Pick<Demand, 'state' | 'decidedBy' | 'decidedAt' | 'decisionReason' | 'endedBy' | 'endedAt'>>,
  ): Promise<boolean>;
  /** Attach a document to a demand that has none; false if it already has one. */
  attachDocument(id: number, doc: DemandDocument): Promise<boolean>;
  getDocument(id: number): Promise<DemandDocument | null>;
  addOutcomes(demandId: number, outcomes: DemandOutcome[]): Promise<void>;
  listOutcomes(demandId: number): Promise<DemandOutcome[]>;
  listRestrictions(): Promise<StoredRestriction[]>;
  putRestriction(r: StoredRestriction): Promise<void>;
  listAccountPolicies(): Promise<AccountPolicy[]>;
  /** Replace the whole table (the admin edits it as one list). */
  replaceAccountPolicies(rows: AccountPolicy[]): Promise<void>;
  /** The second-person desk (commands.ts): pending commands survive a restart and are seen by every node. */
  insertPendingCommand(c: PendingCommand): Promise<void>;
  /** Pending commands not yet expired at `now`; expired ones are deleted (nothing happens). */
  listPendingCommands(now: number): Promise<PendingCommand[]>;
  /** Take one command off the desk, once across every process: null when it is gone (decided, withdrawn, expired). */
  takePendingCommand(id: string, now: number): Promise<PendingCommand | null>;
  /** Who requested or approved a role grant to `account` (the desk's link rule). */
  addGrantLinks(account: string, granters: readonly string[], at: number): Promise<void>;
  listGrantLinks(): Promise<{ account: string; granter: string }[]>;
}

export type DemandPatch = Partial<Pick<Demand, 'state' | 'decidedBy' | 'decidedAt' | 'decisionReason' | 'endedBy' | 'endedAt'>>;

/** What PolicyStore.exclusive hands its callback. */
export interface DemandLock {
  /** The demand as it is now, read under the lock. */
  current: Demand | null;
  /** Compare-and-set on state, inside the lock. */
  transition(from: DemandState, patch: DemandPatch): Promise<boolean>;
}

/**
 * [cluster] Hooks on committed policy changes (server/cluster publishes them to other nodes).
 * Called synchronously; a hook must not throw.
 */
export interface PolicyHooks {
  /** This node is about to commit a demand's change of state (its log entry is already committed). */
  demandChanging?(id: number, to: DemandState): void;
  /** After the attempt: `ok` when it committed here, false when it did not. */
  demandChanged?(id: number, to: DemandState, ok: boolean): void;
  restrictionChanged?(scope: RestrictionScope, subject: string): void;
  accountPoliciesChanged?(): void;
}

/** [cluster] Where a participant on another node is, as the roster mirror has it (no address, no name). */
export interface RemotePresence {
  node: string;
  country: string | null;
  status: 'known' | 'unknown';
}

/** [cluster] Which node hosts a meeting: this one, another, or unknown (placement cannot say: Redis down). */
export type MeetingHost = 'here' | 'elsewhere' | 'unknown';

/** [cluster] Outcomes other nodes report for one demand, from the moment of the call. */
export interface OutcomeCollector {
  /** Resolves once every other live node has reported, or after `waitMs`, with what arrived. */
  done(waitMs: number): Promise<DemandOutcome[]>;
  cancel(): void;
}

/**
 * [cluster] What policy/ needs of the other nodes (engine.attachCluster). An outcome for a meeting
 * is decided only by the node that hosts it, from its own live state; the others hear of it.
 */
export interface ClusterView {
  /**
   * The live meetings hosted on *other* nodes, from the roster mirror (for the preview's counts
   * only: never to decide an outcome). meetingId → participants there; `meetingIds` null = every
   * live meeting. Null when the mirror cannot be read now.
   */
  elsewhere(meetingIds: readonly string[] | null): Promise<Map<string, RemotePresence[]> | null>;
  /** Who hosts this meeting now; when no live node does, this node claims it (joins are then sent here). */
  claimHost(meetingId: string): Promise<MeetingHost>;
  /** Tell the other nodes the outcomes this node decided for a demand (also when there are none). */
  reportOutcomes(demandId: number, outcomes: DemandOutcome[]): void;
  /** Start collecting the outcomes other nodes report for this demand (before it is announced). */
  collectOutcomes(demandId: number): OutcomeCollector;
}

/** The slice of the transparency log policy/ uses: write-ahead append and pseudonyms. */
export interface PolicyLog {
  append(entry: LogEntry): Promise<unknown>;
  appendMany(entries: readonly LogEntry[]): Promise<unknown>;
  pseudonym(kind: PseudonymKind, id: string, scope: string): string;
  /** Committed entries (the transparency log has it): with inclusionProof, tells whether an entry is already on the log. */
  size?(): number;
  /** Rejects (NOT_FOUND) when no entry with this base64 leaf hash is in the tree of `treeSize`. */
  inclusionProof?(leafHash: string, treeSize: number): Promise<unknown>;
}
