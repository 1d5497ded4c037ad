/**
 * The WebSocket endpoint: parse, size-check, rate-limit and validate every message, then
 * hand it to meetings/. Errors become `response` messages with a stable code; the socket
 * stays open unless the error is one that must end it.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { AppError, toAppError } from '../../protocol/errors.js';
import { ClientMessage, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type ServerMessage } from '../../protocol/signaling.js';
import { DEVICE_COOKIE } from '../http/index.js';
import { acceptRosterBatches, admitParticipant, handleInMeeting, type ClientChannel, type Participant, type RoomManager } from '../meetings/index.js';
import { createTokenBucket } from '../http/index.js';

export interface SignalingDeps {
  rooms: RoomManager;
  clientAddress: (req: FastifyRequest) => string;
  onConnection?: (delta: 1 | -1) => void;
  /** Most bytes queued for one socket before it is closed as too slow (default 1 MiB). */
  maxQueuedBytes?: number;
}

/** Default cap on one socket's outbound queue: many joins' worth of rosters, far below a leak. */
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

/** Errors after which the socket is closed (the client must not keep using it). */
const CLOSING = new Set(['PAYLOAD_TOO_LARGE', 'UNSUPPORTED_VERSION']);

export function signalingRoutes(app: FastifyInstance, deps: SignalingDeps): void {
  app.get('/ws', { websocket: true }, (socket: WebSocket, req: FastifyRequest) => {
    const device = req.cookies[DEVICE_COOKIE];
    const tooSlow = new AppError('CLIENT_TOO_SLOW');
    const write = corkedWriter(socket, deps.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES, () => {
      req.log.warn({ queued: socket.bufferedAmount }, 'signaling socket closed: the client is not reading its messages');
      socket.close(tooSlow.wsCloseCode, tooSlow.code);
    });
    const channel: ClientChannel = {
      address: deps.clientAddress(req),
      deviceId: device ? createHash('sha256').update(device).digest('hex') : null,
      userId: req.user?.status === 'active' ? req.user.id : null,
      send: (msg: ServerMessage) => write(JSON.stringify(msg)),
      sendText: write,
      close: (code: number, reason: string) => {
        if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason.slice(0, 120));
      },
    };
    new Connection(deps, socket, channel, req).start();
  });
}

/**
 * Frames sent to one socket within one turn of the event loop go out in one write: the TCP
 * socket is corked on the first frame and uncorked on the next tick. An enforcement pass that
 * removes many participants then costs one syscall per recipient, not one per message.
 * A client that stops reading does not make the server buffer without bound: once more than
 * `maxQueued` bytes wait for it, `overflow` closes it (CLIENT_TOO_SLOW) and nothing more is
 * queued; it reconnects and resumes like after a network drop.
 */
function corkedWriter(socket: WebSocket, maxQueued: number, overflow: () => void): (text: string) => void {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  let corked = false;
  return (text: string) => {
    if (socket.readyState !== socket.OPEN) return;
    const bytes = utf8(text);
    if (socket.bufferedAmount + bytes.length > maxQueued) {
      overflow();
      return;
    }
    if (raw && !corked) {
      corked = true;
      raw.cork();
      process.nextTick(() => {
        corked = false;
        raw.uncork();
      });
    }
    socket.send(bytes, { binary: false });
  };
}

/**
 * A broadcast hands every socket the same string: encode it to UTF-8 once, not once per
 * recipient (at 250 members that was 250 copies of every roster frame). Comparing the same
 * string object is a pointer check, so a miss costs nothing.
 */
let lastText = '';
let lastBytes = Buffer.alloc(0);
function utf8(text: string): Buffer {
  if (text !== lastText) {
    lastText = text;
    lastBytes = Buffer.from(text, 'utf8');
  }
  return lastBytes;
}

class Connection {
  #hello = false;
  #participant: Participant | null = null;
  #joining = false;
  #queue: Promise<void> = Promise.resolve();
  readonly #bucket = createTokenBucket({ ratePerSec: 40, burst: 120 });

  constructor(
    private readonly deps: SignalingDeps,
    private readonly socket: WebSocket,
    private readonly channel: ClientChannel,
    private readonly req: FastifyRequest,
  ) {}

  start(): void {
    this.deps.onConnection?.(1);
    this.socket.on('message', (data, isBinary) => {
      // Messages from one socket are handled one after another, in order.
      this.#queue = this.#queue
        .then(() => this.onMessage(data as Buffer, isBinary))
        .catch((err: unknown) => {
          this.req.log.error({ err }, 'signaling handler failed');
        });
    });
    this.socket.on('close', () => {
      this.deps.onConnection?.(-1);
      if (this.#participant) this.deps.rooms.disconnected(this.#participant.id, this.channel);
    });
    this.socket.on('error', (err) => this.req.log.warn({ err }, 'websocket error'));
  }

  private reply(id: string, result: unknown): void {
    this.channel.send({ type: 'response', id, ok: true, result });
  }

  private fail(id: string, err: AppError): void {
    this.channel.send({ type: 'response', id, ok: false, error: err.toBody() });
    if (CLOSING.has(err.code)) this.channel.close(err.wsCloseCode, err.code);
  }

  private async onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    let id = '';
    try {
      // Too large: refused unparsed, so a huge frame costs nothing but its bytes.
      if (data.length > MAX_MESSAGE_BYTES) throw new AppError('PAYLOAD_TOO_LARGE');
      if (isBinary) throw new AppError('BAD_REQUEST', 'Binary frames are not part of the protocol.');
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString('utf8'));
      } catch {
        throw new AppError('BAD_REQUEST', 'Not JSON.');
      }
      if (typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string') {
        id = (raw as { id: string }).id.slice(0, 64);
      }
      if (!this.#bucket.take()) throw new AppError('RATE_LIMITED');
      const msg = ClientMessage.parse(raw);
      this.reply(msg.id, await this.dispatch(msg));
    } catch (err) {
      const e = toAppError(err);
      if (e.code === 'INTERNAL') this.req.log.error({ err }, 'signaling error');
      this.fail(id, e);
    }
  }

  private async dispatch(msg: ClientMessage): Promise<unknown> {
    if (msg.type === 'ping') return { pong: Date.now() };
    if (msg.type === 'hello') {
      if (msg.v !== PROTOCOL_VERSION) throw new AppError('UNSUPPORTED_VERSION');
      this.#hello = true;
      const features = msg.features?.includes('roster.events') ? (['roster.events'] as const) : [];
      if (features.length > 0) acceptRosterBatches(this.channel);
      return { v: PROTOCOL_VERSION, features };
    }
    if (!this.#hello) throw new AppError('OUT_OF_ORDER', 'Send hello first.');
    if (msg.type === 'join') {
      if (this.#participant || this.#joining) throw new AppError('OUT_OF_ORDER', 'Already joined.');
      this.#joining = true;
      try {
        const { result, participant } = await admitParticipant(this.deps.rooms, this.channel, msg);
        this.#participant = participant;
        return result;
      } finally {
        this.#joining = false;
      }
    }
    const p = this.#participant;
    const found = p ? this.deps.rooms.findParticipant(p.id) : null;
    if (!p || !found || found.p.channel !== this.channel) throw new AppError('NOT_IN_MEETING');
    const result = await handleInMeeting(this.deps.rooms, found.room, found.p, msg);
    if (msg.type === 'leave') this.#participant = null;
    return result;
  }
}
