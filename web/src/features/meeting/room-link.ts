/**
 * What must start in the same tick as a join result (or an admission, or a re-join), before
 * React gets a turn: the security session (so no `roster.event` is missed and read as a gap)
 * and a buffer for the SFU's `media.offer` / `media.candidate` (the subscriber connection
 * sends one offer at a time; losing the first one means no remote media at all). The lobby
 * creates it right after `join` resolves; the room reads the session and attaches its
 * MediaClient with attachMedia(). See web/src/security/index.ts and docs/security.md.
 */
import type { JoinResult } from '../../../../protocol/signaling.js';
import { createSecuritySession, observeE2ee, type DeviceIdentity, type SecuritySession } from '../../security/index.js';
import type { EventData, SignalingClient } from '../../lib/signaling.js';

export interface MediaSink {
  offer(d: EventData<'media.offer'>): void;
  candidate(d: EventData<'media.candidate'>): void;
  closed(d: EventData<'media.closed'>): void;
  streams(d: EventData<'media.streams'>): void;
  layers(d: EventData<'media.layers'>): void;
}
type Buffered =
  | { kind: 'offer'; d: EventData<'media.offer'> }
  | { kind: 'candidate'; d: EventData<'media.candidate'> }
  | { kind: 'closed'; d: EventData<'media.closed'> }
  | { kind: 'streams'; d: EventData<'media.streams'> }
  | { kind: 'layers'; d: EventData<'media.layers'> };

const MAX_BUFFERED = 200;

export class RoomLink {
  readonly #client: SignalingClient;
  readonly #identity: DeviceIdentity;
  readonly #offs: (() => void)[];
  readonly #listeners = new Set<() => void>();
  #session: SecuritySession | null = null;
  #sink: MediaSink | null = null;
  #buffer: Buffered[] = [];
  #refs = 0;
  #closed = false;

  /** Call synchronously where the join result arrives. */
  constructor(client: SignalingClient, join: JoinResult, identity: DeviceIdentity) {
    this.#client = client;
    this.#identity = identity;
    this.#offs = [
      client.on('media.offer', (d) => this.#media({ kind: 'offer', d })),
      client.on('media.candidate', (d) => this.#media({ kind: 'candidate', d })),
      client.on('media.closed', (d) => this.#media({ kind: 'closed', d })),
      client.on('media.streams', (d) => this.#media({ kind: 'streams', d })),
      client.on('media.layers', (d) => this.#media({ kind: 'layers', d })),
      client.on('you.admitted', (r) => this.#fresh(r)),
      client.onRejoined((r) => this.#rejoined(r)),
    ];
    this.#fresh(join);
  }

  /** The current meeting's security session; null while in the waiting room or after close. */
  get session(): SecuritySession | null {
    return this.#session;
  }

  subscribe = (cb: () => void): (() => void) => {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  };
  getSession = (): SecuritySession | null => this.#session;

  /**
   * The room's MediaClient for the current media session: receives what was buffered since
   * the (re)join, then every offer and candidate. Returns the detach function.
   */
  attachMedia(sink: MediaSink): () => void {
    this.#sink = sink;
    for (const b of this.#buffer.splice(0)) this.#deliver(sink, b);
    return () => {
      if (this.#sink === sink) this.#sink = null;
    };
  }

  /**
   * Keep the link open while a component uses it. The last release closes it one microtask
   * later, so React StrictMode's unmount-and-remount does not close a live session.
   */
  retain(): () => void {
    this.#refs++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#refs--;
      queueMicrotask(() => {
        if (this.#refs === 0) this.close();
      });
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#offs.splice(0)) off();
    this.#session?.close();
    this.#session = null;
    this.#sink = null;
    this.#buffer = [];
    this.#emit();
    this.#listeners.clear();
  }

  #media(b: Buffered): void {
    if (this.#sink) {
      this.#deliver(this.#sink, b);
      return;
    }
    this.#buffer.push(b);
    if (this.#buffer.length > MAX_BUFFERED) this.#buffer.shift();
  }

  #deliver(sink: MediaSink, b: Buffered): void {
    if (b.kind === 'offer') sink.offer(b.d);
    else if (b.kind === 'candidate') sink.candidate(b.d);
    else if (b.kind === 'streams') sink.streams(b.d);
    else if (b.kind === 'layers') sink.layers(b.d);
    else sink.closed(b.d);
  }

  /** A new media session starts: whatever the old MediaClient had is gone on the server too. */
  #newMediaSession(): void {
    this.#sink = null;
    this.#buffer = [];
  }

  /** A join result or an admission: a new roster view, a new session once we are in. */
  #fresh(r: JoinResult): void {
    if (this.#closed) return;
    this.#newMediaSession();
    this.#session?.close();
    // Remember a meeting seen as E2EE from the first result (the waiting room's too), so an
    // admission that claims otherwise cannot start a plain session (security/pins.ts).
    observeE2ee(r.meeting.meetingId, r.meeting.e2ee);
    this.#session = r.state === 'joined' ? createSecuritySession(this.#client, r, this.#identity) : null;
    this.#emit();
  }

  /** Reconnected and re-joined: the new chain must extend the one already verified. */
  #rejoined(r: JoinResult): void {
    if (this.#closed) return;
    this.#newMediaSession();
    if (this.#session) {
      void this.#session.rejoined(r);
      return;
    }
    if (r.state === 'joined') {
      this.#session = createSecuritySession(this.#client, r, this.#identity);
      this.#emit();
    }
  }

  #emit(): void {
    for (const cb of this.#listeners) cb();
  }
}
