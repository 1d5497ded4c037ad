/**
 * Every table, as Kysely sees it. One schema for SQLite and PostgreSQL: booleans are
 * integers (0/1), timestamps are integer milliseconds, JSON is text.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  /** JSON array of instance roles: admin, compliance, approver, auditor. */
  roles: string;
  account_type: 'individual' | 'business';
  status: 'active' | 'suspended';
  business_verified: number;
  signup_country: string | null;
  created_at: number;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token: a stolen database does not yield live sessions. */
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface MeetingsTable {
  id: string;
  host_user_id: string;
  title: string;
  passcode_hash: string | null;
  waiting_room: number;
  e2ee: number;
  locked: number;
  scheduled_at: number | null;
  created_at: number;
  ended_at: number | null;
  /** When the first person got past the join checks; from then on `e2ee` is fixed. */
  started_at: number | null;
  /** 1: a large event (attendees receive only); fixed at creation. */
  event: number;
}

export interface MeetingBansTable {
  meeting_id: string;
  /** 'user:<id>', 'device:<hash>', 'token:<hash>' or 'key:<hash>'. */
  subject: string;
  reason: 'host' | 'legal';
  created_at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface LogEntriesTable {
  /** Zero-based leaf index in the Merkle tree. */
  idx: number;
  /** Canonical JSON exactly as hashed. */
  entry: string;
  /** Hex SHA-256(0x00 || entry). */
  leaf_hash: string;
  created_at: number;
}

export interface CheckpointsTable {
  id: Generated<number>;
  /** Unique: one signed head per size. */
  tree_size: number;
  /** Hex MTH of the first tree_size entries. */
  root_hash: string;
  /** When it was signed (ms); not covered by the signature. */
  timestamp: number;
  /** The C2SP signed note, exactly as published. */
  note: string;
}

// ---- policy/ (003-policy) ----

export interface DemandsTable {
  id: Generated<number>;
  authority: string;
  jurisdiction: string;
  legal_basis: string;
  reference: string;
  received_at: number;
  /** What the authority asked, in its own words. */
  asked_text: string;
  /** JSON array of { kind, performed, reason?, detail? }. */
  asks: string;
  /** JSON { meetings, accounts, emails, titlePattern }. */
  targets: string;
  gag: number;
  gag_until: number | null;
  expires_at: number | null;
  /** recorded | approved | rejected | lifted | expired | refused */
  state: string;
  recorded_by: string;
  decided_by: string | null;
  decided_at: number | null;
  decision_reason: string | null;
  ended_by: string | null;
  ended_at: number | null;
  document_sha256: string | null;
  created_at: number;
}

export interface DemandDocumentsTable {
  demand_id: number;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  bytes: Uint8Array;
  created_at: number;
}

export interface DemandOutcomesTable {
  demand_id: number;
  meeting_id: string;
  /** removed | no-action */
  outcome: string;
  count: number;
  created_at: number;
}

export interface CountryRestrictionsTable {
  /** instance | account | meeting */
  scope: string;
  /** '' for the instance, else the account or meeting id. */
  subject: string;
  mode: string;
  /** JSON array of country codes. */
  countries: string;
  unknown: string;
  updated_by: string;
  updated_at: number;
}

export interface AccountPoliciesTable {
  country: string;
  individual_signup_disabled: number;
  business_requires_verification: number;
  updated_by: string;
  updated_at: number;
}

// ---- the second-person desk (007-pending-commands) ----

export interface PendingCommandsTable {
  id: string;
  /** A PowerKind (protocol/policy.ts). */
  kind: string;
  summary: string;
  /** JSON: what the command needs to run (parsed with zod before it runs). */
  details: string;
  requested_by: string;
  requested_at: number;
  expires_at: number;
}

export interface RoleGrantLinksTable {
  /** The account that was granted a role. */
  account: string;
  /** Who requested or approved that grant. */
  granter: string;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  meetings: MeetingsTable;
  meeting_bans: MeetingBansTable;
  meta: MetaTable;
  log_entries: LogEntriesTable;
  checkpoints: CheckpointsTable;
  demands: DemandsTable;
  demand_documents: DemandDocumentsTable;
  demand_outcomes: DemandOutcomesTable;
  country_restrictions: CountryRestrictionsTable;
  account_policies: AccountPoliciesTable;
  pending_commands: PendingCommandsTable;
  role_grant_links: RoleGrantLinksTable;
}
