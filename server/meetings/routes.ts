import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { User } from '../accounts/index.js';
import { z } from 'zod';
import { AppError } from '../../protocol/errors.js';
import { Id } from '../../protocol/signaling.js';
import { requireUser } from '../http/index.js';
import type { MeetingStore } from './meeting-store.js';
import { MIN_PASSCODE_CHARS } from './passcode.js';
import type { RoomManager } from './rooms.js';
import type { MeetingRecord } from './types.js';

/** New passcodes: at least MIN_PASSCODE_CHARS (meetings that have a shorter one keep it). */
const Passcode = z.string().min(MIN_PASSCODE_CHARS, `a passcode needs at least ${MIN_PASSCODE_CHARS} characters`).max(32);
const NewMeeting = z
  .object({
    title: z.string().trim().min(1).max(200),
    passcode: Passcode.optional(),
    waitingRoom: z.boolean().optional(),
    e2ee: z.boolean().optional(),
    /** A large event: attendees receive only (fixed at creation). */
    event: z.boolean().optional(),
    scheduledAt: z.number().int().positive().optional(),
  })
  .strict();
const Patch = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    passcode: Passcode.nullable().optional(),
    waitingRoom: z.boolean().optional(),
    e2ee: z.boolean().optional(),
    scheduledAt: z.number().int().positive().nullable().optional(),
  })
  .strict();
const Params = z.object({ id: Id });

export interface MeetingRouteDeps {
  store: MeetingStore;
  rooms: RoomManager;
  publicUrl: string;
  /** Account policy for the host's location (policy/): may this account host meetings? */
  assertMayHost?: (user: User, req: FastifyRequest) => Promise<void>;
}

export function meetingRoutes(app: FastifyInstance, deps: MeetingRouteDeps): void {
  const { store, rooms } = deps;
  const view = (m: MeetingRecord) => ({
    id: m.id,
    title: m.title,
    hasPasscode: m.hasPasscode,
    waitingRoom: m.waitingRoom,
    e2ee: m.e2ee,
    event: m.event,
    locked: m.locked,
    scheduledAt: m.scheduledAt,
    createdAt: m.createdAt,
    endedAt: m.endedAt,
    link: `${deps.publicUrl}/m/${m.id}`,
    live: { participants: rooms.room(m.id)?.joinedCount() ?? 0 },
  });
  async function ownMeeting(userId: string, id: string): Promise<MeetingRecord> {
    const m = await store.mustGet(id);
    if (m.hostUserId !== userId) throw new AppError('NOT_HOST');
    return m;
  }

  app.get('/api/meetings', async (req) => {
    const user = requireUser(req);
    return { meetings: (await store.listByHost(user.id)).map(view) };
  });

  app.post('/api/meetings', async (req, reply) => {
    const user = requireUser(req);
    const body = NewMeeting.parse(req.body);
    await deps.assertMayHost?.(user, req);
    const m = await store.create(user.id, body);
    return reply.code(201).send({ meeting: view(m) });
  });

  app.patch('/api/meetings/:id', async (req) => {
    const user = requireUser(req);
    const { id } = Params.parse(req.params);
    await ownMeeting(user.id, id);
    const m = await store.update(id, Patch.parse(req.body));
    const room = rooms.room(id);
    if (room) {
      room.meeting = m;
      room.broadcast({ event: 'meeting.updated', data: room.info() });
    }
    return { meeting: view(m) };
  });

  app.post('/api/meetings/:id/end', async (req) => {
    const user = requireUser(req);
    const { id } = Params.parse(req.params);
    await ownMeeting(user.id, id);
    await store.end(id);
    rooms.endRoom(id, user.displayName);
    return { meeting: view(await store.mustGet(id)) };
  });

  /** What someone holding the link may know before joining. No auth; no roster. */
  app.get('/api/meetings/:id/public', async (req) => {
    const { id } = Params.parse(req.params);
    const m = await store.mustGet(id);
    return {
      meetingId: m.id,
      title: m.title,
      hasPasscode: m.hasPasscode,
      waitingRoom: m.waitingRoom,
      scheduledAt: m.scheduledAt,
      ended: m.endedAt !== null,
      e2ee: m.e2ee,
      event: m.event,
    };
  });

  /** The host's live view: roster, waiting room and enforcement notices. */
  app.get('/api/meetings/:id/live', async (req) => {
    const user = requireUser(req);
    const { id } = Params.parse(req.params);
    await ownMeeting(user.id, id);
    const room = rooms.room(id);
    return { roster: room?.roster() ?? [], waiting: room?.waiting() ?? [], notices: room?.notices ?? [] };
  });
}
