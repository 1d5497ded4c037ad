/**
 * The browser's end of the WebSocket signaling protocol (protocol/signaling.ts).
 *
 * - `hello` goes first on every socket; requests made before the socket is ready are queued.
 * - After a drop it reconnects with backoff (250 ms doubling to 4 s) and, if we had joined,
 *   re-joins with the last `resumeToken` so the server reuses our roster entry instead of
 *   adding a second one. `onRejoined` then hands the fresh JoinResult to the room.
 * - Close codes that mean "you may not be here" (4403, 4451, 4410, …) end it for good.
 */
import type { ClientMessage, ClientMessageType, EventName, JoinResult, ServerEvent, ServerMessage } from '../../../protocol/signaling.js';
import { ROSTER_BATCH_FEATURE, unfoldRosterBatch } from '../../../protocol/roster-batch.js';
import { PROTOCOL_VERSION_CLIENT } from './protocol-version.js';
import { ApiError } from './api.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';
export type EventData<E extends EventName> = Extract<ServerEvent, { event: E }>['data'];
export type RequestPayload<T extends ClientMessageType> = Omit<Extract<ClientMessage, { type: T }>, 'type' | 'id'>;
export type JoinPayload = RequestPayload<'join'>;

/** Close codes after which reconnecting cannot help (forbidden, legal/location, ended, gone, version). */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([4403, 4451, 4410, 4404, 4426, 4401]);

export interface SignalingOptions {
  url?: string;
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  WebSocketImpl?: typeof WebSocket;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
  sent: boolean;
  frame: string;
}

// WebSocket readyState values (the global may be absent where this is unit-tested).
const CONNECTING = 0;
const OPEN = 1;

export function defaultSignalingUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws`;
}

export class SignalingClient {
  #opts: Required<Omit<SignalingOptions, 'WebSocketImpl'>> & { WebSocketImpl: typeof WebSocket };
  #ws: WebSocket | null = null;
  #state: ConnectionState = 'connecting';
  #closeCode: number | null = null;
  #attempt = 0;
  #nextId = 1;
  #ready = false;
  #pending = new Map<string, Pending>();
  #queue: string[] = [];
  #events = new Map<string, Set<(data: never) => void>>();
  #stateListeners = new Set<(s: ConnectionState, closeCode: number | null) => void>();
  #rejoinListeners = new Set<(r: JoinResult) => void>();
  #rejoinFailListeners = new Set<(e: ApiError) => void>();
  #joinParams: JoinPayload | null = null;
  #resumeToken: string | null = null;
  #terminal = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #started = false;

  readonly #originUrl: string;

  constructor(opts: SignalingOptions = {}) {
    this.#originUrl = opts.url ?? defaultSignalingUrl();
    this.#opts = {
      url: opts.url ?? defaultSignalingUrl(),
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
      pingIntervalMs: opts.pingIntervalMs ?? 20_000,
      minBackoffMs: opts.minBackoffMs ?? 250,
      maxBackoffMs: opts.maxBackoffMs ?? 4_000,
      WebSocketImpl: opts.WebSocketImpl ?? globalThis.WebSocket,
    };
  }

  get state(): ConnectionState {
    return this.#state;
  }
  /** The close code that ended the connection for good, if any. */
  get closeCode(): number | null {
    return this.#closeCode;
  }

  /** Open the socket. Safe to call more than once. */
  connect(): void {
    if (this.#started) return;
    this.#started = true;
    if (typeof window !== 'undefined') window.addEventListener('online', this.#onOnline);
    this.#open();
  }

  /** Send a request; resolves with its `result`, rejects with ApiError (TIMEOUT after 10 s). */
  request<T extends ClientMessageType>(type: T, payload: RequestPayload<T>): Promise<unknown> {
    if (type === 'join') return this.#joinFollowingRedirects(payload);
    return this.#send(type, payload, false);
  }

  /**
   * Several nodes: a join that reaches a node not hosting the meeting is answered with
   * MEETING_ELSEWHERE and the hosting node's address; move there and join again (twice at most).
   */
  async #joinFollowingRedirects(payload: Record<string, unknown>): Promise<unknown> {
    for (let hops = 0; ; hops++) {
      try {
        return await this.#send('join', payload, false);
      } catch (err) {
        const to = redirectTarget(err);
        if (!to || hops >= 2) throw err;
        await this.#moveTo(to);
      }
    }
  }

  /** Reconnect to another node's signaling URL and wait until the handshake is done. */
  #moveTo(url: string): Promise<void> {
    this.#opts.url = url;
    this.#teardown(1000);
    this.#attempt = 0;
    this.#open();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new ApiError('TIMEOUT'));
      }, this.#opts.requestTimeoutMs);
      const off = this.onState((state) => {
        if (state !== 'open' && state !== 'closed') return;
        clearTimeout(timer);
        off();
        if (state === 'open') resolve();
        else reject(new ApiError('NETWORK'));
      });
    });
  }

  /** Subscribe to a server event. Returns the unsubscribe function. */
  on<E extends EventName>(event: E, cb: (data: EventData<E>) => void): () => void {
    let set = this.#events.get(event);
    if (!set) this.#events.set(event, (set = new Set()));
    const fn = cb as (data: never) => void;
    set.add(fn);
    return () => set.delete(fn);
  }

  onState(cb: (s: ConnectionState, closeCode: number | null) => void): () => void {
    this.#stateListeners.add(cb);
    return () => this.#stateListeners.delete(cb);
  }
  /** After a reconnect re-joined the meeting: the server's fresh view. */
  onRejoined(cb: (r: JoinResult) => void): () => void {
    this.#rejoinListeners.add(cb);
    return () => this.#rejoinListeners.delete(cb);
  }
  /** After a reconnect the server refused the re-join (e.g. location now restricted). */
  onRejoinFailed(cb: (e: ApiError) => void): () => void {
    this.#rejoinFailListeners.add(cb);
    return () => this.#rejoinFailListeners.delete(cb);
  }

  /** Stop for good: no reconnect, pending requests fail. */
  close(): void {
    this.#terminal = true;
    this.#teardown(1000);
    this.#setState('closed');
  }

  // --- internals ---

  #send(type: string, payload: Record<string, unknown>, internal: boolean): Promise<unknown> {
    if (this.#state === 'closed') return Promise.reject(new ApiError('NETWORK'));
    // Media messages belong to the server-side media session, which ends with the socket: never
    // hold one over a reconnect to replay it into the next session.
    if (type.startsWith('media.') && !this.#ready) return Promise.reject(new ApiError('NETWORK'));
    const id = `r${this.#nextId++}`;
    const frame = JSON.stringify({ type, id, ...payload });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#queue = this.#queue.filter((f) => f !== frame);
        reject(new ApiError('TIMEOUT'));
        // A ping that never comes back means a dead socket the browser has not noticed.
        if (type === 'ping') this.#ws?.close(4000, 'ping timeout');
      }, this.#opts.requestTimeoutMs);
      const p: Pending = {
        resolve: (v) => {
          if (type === 'join') this.#rememberJoin(payload as JoinPayload, v);
          resolve(v);
        },
        reject,
        timer,
        sent: false,
        frame,
      };
      this.#pending.set(id, p);
      if (internal || this.#ready) this.#write(p);
      else this.#queue.push(frame);
    });
  }

  #write(p: Pending): void {
    if (this.#ws?.readyState !== OPEN) {
      this.#queue.push(p.frame);
      return;
    }
    p.sent = true;
    this.#ws.send(p.frame);
  }

  #rememberJoin(params: JoinPayload, result: unknown): void {
    const { resumeToken: _drop, ...rest } = params;
    this.#joinParams = rest;
    const token = (result as Partial<JoinResult> | null)?.resumeToken;
    if (typeof token === 'string') this.#resumeToken = token;
  }

  #open(): void {
    this.#ready = false;
    this.#setState(this.#attempt === 0 && this.#state === 'connecting' ? 'connecting' : 'reconnecting');
    const ws = new this.#opts.WebSocketImpl(this.#opts.url);
    this.#ws = ws;
    ws.onopen = () => void this.#handshake(ws);
    ws.onmessage = (ev) => this.#onMessage(ev);
    ws.onclose = (ev) => this.#onClose(ws, ev.code);
    ws.onerror = () => {
      // onclose follows and decides.
    };
  }

  async #handshake(ws: WebSocket): Promise<void> {
    try {
      // Roster changes batched (protocol/roster-batch.ts); single events are handled the same.
      await this.#send('hello', { v: PROTOCOL_VERSION_CLIENT, features: [ROSTER_BATCH_FEATURE] }, true);
      if (this.#joinParams && this.#resumeToken) {
        const payload: JoinPayload = { ...this.#joinParams, resumeToken: this.#resumeToken };
        let result: JoinResult;
        try {
          result = (await this.#send('join', payload, true)) as JoinResult;
        } catch (err) {
          if (ws !== this.#ws) return;
          const to = redirectTarget(err);
          if (to) {
            // The meeting now lives on another node (e.g. after a node failure): go there.
            this.#opts.url = to;
            this.#teardown(1000);
            this.#scheduleReconnect();
            return;
          }
          if (err instanceof ApiError && err.code !== 'TIMEOUT' && err.code !== 'NETWORK') {
            this.#terminal = true;
            for (const cb of this.#rejoinFailListeners) cb(err);
            this.close();
          }
          return;
        }
        if (ws !== this.#ws) return;
        for (const cb of this.#rejoinListeners) cb(result);
      }
      if (ws !== this.#ws) return;
      this.#attempt = 0;
      this.#ready = true;
      this.#setState('open');
      this.#startPing();
      const queued = this.#queue;
      this.#queue = [];
      for (const frame of queued) {
        const entry = [...this.#pending.values()].find((p) => p.frame === frame && !p.sent);
        if (entry) this.#write(entry);
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNSUPPORTED_VERSION') this.close();
    }
  }

  #onMessage(ev: MessageEvent): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(String(ev.data)) as ServerMessage;
    } catch {
      return;
    }
    if (msg.type === 'response') {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new ApiError(msg.error.code, msg.error.message, 0, msg.error.details));
      return;
    }
    if (msg.type === 'event' && msg.event === 'roster.events') {
      // One frame, several roster changes: listeners see them one by one, as from a server without batches.
      for (const e of unfoldRosterBatch(msg.data.items)) this.#dispatch({ type: 'event', ...e });
      return;
    }
    this.#dispatch(msg);
  }

  #dispatch(msg: ServerMessage): void {
    if (msg.type === 'event') {
      if (msg.event === 'you.removed' || msg.event === 'meeting.ended') this.#terminal = true;
      if (msg.event === 'you.admitted' && this.#joinParams) this.#rememberJoin(this.#joinParams, msg.data);
      const set = this.#events.get(msg.event);
      if (!set) return;
      for (const cb of [...set]) {
        try {
          (cb as (d: unknown) => void)(msg.data);
        } catch (err) {
          console.error('signaling listener failed', msg.event, err);
        }
      }
    }
  }

  #onClose(ws: WebSocket, code: number): void {
    if (ws !== this.#ws) return;
    this.#teardown(null);
    if (this.#terminal || TERMINAL_CLOSE_CODES.has(code)) {
      this.#terminal = true;
      this.#closeCode = code;
      this.#setState('closed');
      return;
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#setState('reconnecting');
    // A node we were sent to may be gone: after a few failures, go back to our own origin,
    // which places the meeting on a surviving node.
    if (this.#attempt >= 3 && this.#opts.url !== this.#originUrl) this.#opts.url = this.#originUrl;
    const base = Math.min(this.#opts.maxBackoffMs, this.#opts.minBackoffMs * 2 ** this.#attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#attempt++;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#open();
    }, delay);
  }

  #onOnline = (): void => {
    if (this.#state !== 'reconnecting' || !this.#reconnectTimer) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#open();
  };

  #startPing(): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (this.#ready) this.request('ping', {}).catch(() => undefined);
    }, this.#opts.pingIntervalMs);
  }

  /** Drop the socket; requests already on the wire fail (they may or may not have run). */
  #teardown(closeCode: number | null): void {
    this.#ready = false;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    const ws = this.#ws;
    if (closeCode !== null && ws) {
      this.#ws = null;
      ws.onclose = null;
      if (ws.readyState === OPEN || ws.readyState === CONNECTING) ws.close(closeCode);
    }
    for (const [id, p] of this.#pending) {
      if (p.sent || this.#terminal) {
        clearTimeout(p.timer);
        this.#pending.delete(id);
        p.reject(new ApiError('NETWORK'));
      }
    }
    if (this.#terminal) {
      this.#queue = [];
      if (typeof window !== 'undefined') window.removeEventListener('online', this.#onOnline);
    }
  }

  #setState(s: ConnectionState): void {
    if (this.#state === s) return;
    if (this.#state === 'closed') return;
    this.#state = s;
    for (const cb of this.#stateListeners) cb(s, this.#closeCode);
  }
}

/** The hosting node's signaling URL from a MEETING_ELSEWHERE refusal, if that is what it is. */
function redirectTarget(err: unknown): string | null {
  if (!(err instanceof ApiError) || err.code !== 'MEETING_ELSEWHERE') return null;
  const wsUrl = (err.details as { redirect?: { wsUrl?: unknown } } | undefined)?.redirect?.wsUrl;
  return typeof wsUrl === 'string' && /^wss?:\/\//.test(wsUrl) ? wsUrl : null;
}
