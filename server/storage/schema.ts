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
}

export interface MeetingBansTable {
  meeting_id: string;
  /** 'user:<id>', 'device:<hash>', 'token:<hash>' or 'key:<hash>'. */
  subject: string;
  reason: 'host' | 'legal';
  created_at: number;
}

export interface ChatMessagesTable {
  id: string;
  meeting_id: string;
  participant_id: string;
  display_name: string;
  text: string;
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
  tree_size: number;
  root_hash: string;
  timestamp: number;
  note: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  meetings: MeetingsTable;
  meeting_bans: MeetingBansTable;
  chat_messages: ChatMessagesTable;
  meta: MetaTable;
  log_entries: LogEntriesTable;
  checkpoints: CheckpointsTable;
}
