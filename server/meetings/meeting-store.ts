/** Meetings and bans in the database. Chat is relayed, never stored (docs/retention.md). */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../protocol/errors.js';
import { createPasscodeGuard, type PasscodeLimits } from './passcode.js';
import type { Db } from '../storage/index.js';
import type { MeetingsTable } from '../storage/index.js';
import type { MeetingRecord } from './types.js';

export function toMeeting(row: MeetingsTable): MeetingRecord {
  return {
    id: row.id,
    hostUserId: row.host_user_id,
    title: row.title,
    hasPasscode: row.passcode_hash !== null,
    waitingRoom: row.waiting_room === 1,
    e2ee: row.e2ee === 1,
    event: row.event === 1,
    locked: row.locked === 1,
    scheduledAt: row.scheduled_at,
    createdAt: row.created_at,
    endedAt: row.ended_at,
  };
}

/** Meeting ids are 12 url-safe characters (72 bits): unguessable, short enough to read out. */
export function newMeetingId(): string {
  return randomBytes(9).toString('base64url');
}

export interface NewMeeting {
  title: string;
  passcode?: string | undefined;
  waitingRoom?: boolean | undefined;
  e2ee?: boolean | undefined;
  event?: boolean | undefined;
  scheduledAt?: number | null | undefined;
}

export interface MeetingPatch {
  title?: string | undefined;
  passcode?: string | null | undefined;
  waitingRoom?: boolean | undefined;
  e2ee?: boolean | undefined;
  scheduledAt?: number | null | undefined;
}

export function createMeetingStore(db: Db, opts: { passcodeLimits?: PasscodeLimits } = {}) {
  const passcodes = createPasscodeGuard(db, opts.passcodeLimits);
  async function get(id: string): Promise<MeetingRecord | null> {
    const row = await db.selectFrom('meetings').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMeeting(row) : null;
  }
  async function mustGet(id: string): Promise<MeetingRecord> {
    const m = await get(id);
    if (!m) throw new AppError('MEETING_NOT_FOUND');
    return m;
  }
  return {
    get,
    mustGet,
    async create(hostUserId: string, input: NewMeeting): Promise<MeetingRecord> {
      const id = newMeetingId();
      const row: MeetingsTable = {
        id,
        host_user_id: hostUserId,
        title: input.title,
        passcode_hash: input.passcode ? await passcodes.hash(id, input.passcode) : null,
        waiting_room: input.waitingRoom ? 1 : 0,
        e2ee: input.e2ee ? 1 : 0,
        event: input.event ? 1 : 0,
        locked: 0,
        scheduled_at: input.scheduledAt ?? null,
        created_at: Date.now(),
        ended_at: null,
        started_at: null,
      };
      await db.insertInto('meetings').values(row).execute();
      return toMeeting(row);
    },
    async listByHost(hostUserId: string): Promise<MeetingRecord[]> {
      const rows = await db.selectFrom('meetings').selectAll().where('host_user_id', '=', hostUserId).orderBy('created_at', 'desc').limit(200).execute();
      return rows.map(toMeeting);
    },
    /**
     * Change a meeting's settings. `e2ee` is fixed once the meeting has started (E2EE_FIXED):
     * the check is part of the UPDATE, so a join that starts the meeting cannot race it.
     */
    async update(id: string, patch: MeetingPatch): Promise<MeetingRecord> {
      const set: Partial<MeetingsTable> = {};
      if (patch.title !== undefined) set.title = patch.title;
      if (patch.waitingRoom !== undefined) set.waiting_room = patch.waitingRoom ? 1 : 0;
      if (patch.e2ee !== undefined) set.e2ee = patch.e2ee ? 1 : 0;
      if (patch.scheduledAt !== undefined) set.scheduled_at = patch.scheduledAt;
      if (patch.passcode !== undefined) set.passcode_hash = patch.passcode ? await passcodes.hash(id, patch.passcode) : null;
      if (Object.keys(set).length === 0) return mustGet(id);
      let q = db.updateTable('meetings').set(set).where('id', '=', id);
      const e2ee = set.e2ee;
      if (e2ee !== undefined) q = q.where((eb) => eb.or([eb('started_at', 'is', null), eb('e2ee', '=', e2ee)]));
      const r = await q.executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) {
        await mustGet(id);
        throw new AppError('E2EE_FIXED');
      }
      return mustGet(id);
    },
    /**
     * Someone got past the join checks: the meeting has started and its `e2ee` is fixed from
     * now on. Returns the meeting as stored after that point (what the room must use).
     */
    async markStarted(id: string): Promise<MeetingRecord> {
      await db.updateTable('meetings').set({ started_at: Date.now() }).where('id', '=', id).where('started_at', 'is', null).execute();
      return mustGet(id);
    },
    async setLocked(id: string, locked: boolean): Promise<void> {
      await db
        .updateTable('meetings')
        .set({ locked: locked ? 1 : 0 })
        .where('id', '=', id)
        .execute();
    },
    async end(id: string): Promise<void> {
      await db.updateTable('meetings').set({ ended_at: Date.now(), locked: 0 }).where('id', '=', id).execute();
    },
    /**
     * Whether `passcode` opens the meeting (always, when it has none). Misses are counted per
     * meeting and per `address`; PASSCODE_LOCKED while either backs off (meetings/passcode.ts).
     */
    async checkPasscode(id: string, passcode: string | undefined, address = ''): Promise<boolean> {
      const row = await db.selectFrom('meetings').select('passcode_hash').where('id', '=', id).executeTakeFirst();
      if (!row?.passcode_hash) return true;
      return passcodes.check({
        meetingId: id,
        stored: row.passcode_hash,
        passcode,
        address,
        upgrade: async (hash) => {
          await db.updateTable('meetings').set({ passcode_hash: hash }).where('id', '=', id).where('passcode_hash', '=', row.passcode_hash).execute();
        },
      });
    },
    async ban(meetingId: string, subjects: string[], reason: 'host' | 'legal'): Promise<void> {
      const now = Date.now();
      for (const subject of subjects) {
        await db
          .insertInto('meeting_bans')
          .values({ meeting_id: meetingId, subject, reason, created_at: now })
          .onConflict((oc) => oc.columns(['meeting_id', 'subject']).doNothing())
          .execute();
      }
    },
    async isBanned(meetingId: string, subjects: string[]): Promise<boolean> {
      if (subjects.length === 0) return false;
      const row = await db.selectFrom('meeting_bans').select('subject').where('meeting_id', '=', meetingId).where('subject', 'in', subjects).executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type MeetingStore = ReturnType<typeof createMeetingStore>;
