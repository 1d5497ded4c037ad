/**
 * What clients need to check the server end to end: the relay for opaque E2EE key blobs, and
 * the `media.receivers` report that tells every participant who the media plane is actually
 * forwarding each publisher's media to (read from its forwarding tables, not the roster), so
 * each client can compare it with the roster chain it verified itself. See docs/security.md.
 */
import { AppError } from '../../protocol/errors.js';
import type { ClientMessage } from '../../protocol/signaling.js';
import { sendEvent, type Participant, type Room } from './room.js';

type KeyMessage = Extract<ClientMessage, { type: 'e2ee.key' }>;

/**
 * Relay one key blob from `from` to one other member of the same meeting's roster. Both
 * must be in the roster; the blob is passed on unread (the server cannot open it).
 */
export function relayE2eeKey(room: Room, from: Participant, msg: KeyMessage): { ok: true } {
  if (!room.isInRoster(from.id)) throw new AppError('NOT_IN_ROSTER');
  if (msg.to === from.id || !room.isInRoster(msg.to)) throw new AppError('NOT_IN_ROSTER');
  const target = room.participants.get(msg.to);
  if (!target) throw new AppError('NOT_IN_ROSTER');
  sendEvent(target, { event: 'e2ee.key', data: { from: from.id, blob: msg.blob } });
  return { ok: true };
}

/** The part of the media plane the report reads: who is being forwarded whose media. */
export interface ReceiversSource {
  receiversOf?(publisherId: string): string[];
}

/** The rooms the report walks (RoomManager satisfies this). */
export interface ReportRooms {
  readonly rooms: ReadonlyMap<string, Room>;
}

/**
 * Every `intervalMs`, send each roster member the current receivers of every publisher in
 * their meeting whenever it differs from what that member was last told. Returns a stop
 * function. Does nothing when the media plane cannot list receivers (null media in tests).
 */
export function startReceiversReport(rooms: ReportRooms, media: ReceiversSource, intervalMs = 1000): () => void {
  const told = new Map<string, string>(); // `${recipient}\n${publisher}` → receivers as sent
  const tick = (): void => {
    if (!media.receiversOf) return;
    const live = new Set<string>();
    for (const room of rooms.rooms.values()) {
      const members = [...room.participants.values()].filter((p) => p.state === 'joined');
      for (const pub of members) {
        const receivers = [...media.receiversOf(pub.id)].sort();
        const text = receivers.join(',');
        for (const to of members) {
          const key = `${to.id}\n${pub.id}`;
          live.add(key);
          // Nobody receiving someone nobody was told about is the default: saying so would cost
          // every member a frame per arrival (most members of a large meeting never publish).
          if (told.get(key) === text || (text === '' && !told.has(key))) continue;
          told.set(key, text);
          sendEvent(to, { event: 'media.receivers', data: { publisherId: pub.id, receivers } });
        }
      }
    }
    for (const key of told.keys()) if (!live.has(key)) told.delete(key);
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
