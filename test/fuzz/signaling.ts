/**
 * Fuzz target for the signaling dispatcher of a real in-process server (SQLite in memory, the
 * null media plane): mutated JSON frames of every client message type, broken JSON, binary,
 * invalid UTF-8 and oversized frames, sent over real WebSockets by several lanes at once. A
 * lane is one socket: hello, join one of a few meetings (the first lane as their host), up to
 * LANE_FRAMES fuzz frames (under the per-socket burst of 120), leave, close.
 *
 * A crash is an INTERNAL error (an exception escaped a handler), a frame left without a
 * response for RESPONSE_TIMEOUT_MS (a stall), an abnormal close, or /healthz failing after.
 */
import WebSocket from 'ws';
import { MAX_MESSAGE_BYTES } from '../../protocol/signaling.js';
import { buildPublishOffer } from '../../server/media/test-packets.js';
import { createMeeting, signUp, startServer, type TestServer } from '../helpers/app.js';
import { type Rng, mutate, randomBytes } from './mutate.js';
import type { AsyncFuzzTarget } from './runner.js';

const LANE_FRAMES = 100;
const RESPONSE_TIMEOUT_MS = 5000;
/** Close codes a frame may legitimately end its socket with (catalog codes, ws 1007/1009). */
const EXPECTED_CLOSE = /^(4\d{3}|1000|1005|1007|1009)$/;

interface Frame {
  seed: string;
  data: string | Buffer;
  binary: boolean;
}

type Reply = { kind: 'response'; ok: boolean; code: string } | { kind: 'closed'; code: number };

/** One signaling socket that hands out responses in order (the server answers frames in order). */
class Lane {
  readonly ws: WebSocket;
  readonly #waiting: ((r: Reply) => void)[] = [];
  closed: number | null = null;
  participantId: string | null = null;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; ok?: boolean; error?: { code: string } };
      if (msg.type !== 'response') return;
      this.#waiting.shift()?.({ kind: 'response', ok: msg.ok === true, code: msg.ok ? 'ok' : (msg.error?.code ?? '?') });
    });
    ws.on('close', (code) => {
      this.closed = code;
      for (const w of this.#waiting.splice(0)) w({ kind: 'closed', code });
    });
    ws.on('error', () => undefined);
  }

  static async open(url: string, cookie?: string): Promise<Lane> {
    const ws = new WebSocket(url, { headers: cookie ? { cookie } : {} });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Lane(ws);
  }

  /** Send a frame; resolve with the server's response to it, or how the socket closed. */
  send(data: string | Buffer, binary = false): Promise<Reply> {
    if (this.closed !== null) return Promise.resolve({ kind: 'closed', code: this.closed });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response in ${RESPONSE_TIMEOUT_MS} ms`)), RESPONSE_TIMEOUT_MS);
      this.#waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.ws.send(data, { binary });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Valid frames of every client message type (ids, meeting ids and sdp filled in per lane). */
function seeds(meetingId: string, other: string): Record<string, unknown>[] {
  const sdp = buildPublishOffer();
  return [
    { type: 'hello', v: 1 },
    { type: 'join', meetingId, displayName: 'Fuzz', passcode: '1234', resumeToken: 'x'.repeat(20), identityKey: 'AAAA' },
    { type: 'leave' },
    { type: 'chat.send', text: 'hello' },
    { type: 'chat.send', sealed: 'v1.1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA' },
    { type: 'media.publish', sdp },
    { type: 'media.answer', sdp },
    { type: 'media.candidate', pc: 'pub', candidate: 'candidate:1 1 UDP 2122252543 192.0.2.1 5000 typ host', mid: '0' },
    { type: 'media.state', audio: true, video: false, screen: false },
    { type: 'hand.raise', raised: true },
    { type: 'media.layer', publisherId: other, layer: 'h' },
    { type: 'media.subscribe', publisherIds: [other] },
    { type: 'media.ice-restart' },
    { type: 'host.admit', participantId: other },
    { type: 'host.deny', participantId: other },
    { type: 'host.mute', participantId: other },
    { type: 'host.remove', participantId: other },
    { type: 'host.lock', locked: false },
    { type: 'host.role', participantId: other, role: 'cohost' },
    { type: 'ping' },
    { type: 'e2ee.key', to: other, blob: 'QUJD' },
  ];
}

const VALUES: unknown[] = [null, true, 0, -1, 1.5, 2 ** 53, 1e308, '', 'x', 'q', 'pub', '../..', '\u0000', '\ud800', [], [1], {}, { a: 1 }];
const KEYS = ['type', 'id', '__proto__', 'constructor', 'prototype', 'toString', 'v', 'meetingId', 'sdp', 'x'];

/** Stands for deeply nested arrays, spliced in after JSON.stringify (which would overflow the stack). */
const DEEP = '\u0001deep\u0001';

function mutateJson(rng: Rng, seed: Record<string, unknown>, types: readonly string[]): string {
  const o: Record<string, unknown> = { ...seed };
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) {
    const keys = Object.keys(o);
    switch (rng.int(6)) {
      case 0:
        Reflect.deleteProperty(o, rng.pick(keys));
        break;
      case 1:
        o[rng.pick(keys)] = rng.pick(VALUES);
        break;
      case 2:
        o[rng.pick(KEYS)] = rng.pick(VALUES);
        break;
      case 3:
        o.type = rng.pick(types);
        break;
      case 4:
        o[rng.pick(keys)] = rng.chance(0.5) ? 'y'.repeat(rng.int(rng.chance(0.2) ? 70_000 : 2000)) : DEEP;
        break;
      default:
        o.id = rng.chance(0.5) ? rng.pick(VALUES) : 'i'.repeat(rng.int(200));
    }
  }
  const depth = rng.int(20_000);
  const text = JSON.stringify(o).replace(JSON.stringify(DEEP), () => '['.repeat(depth) + ']'.repeat(depth));
  return rng.chance(0.1) ? `[${text}]` : text;
}

/**
 * The signaling target over `lanes` sockets. Call `start()` before running and `stop()`
 * after; `stop()` reports whether /healthz still answered 200.
 */
export function signalingTarget(opts: { lanes?: number } = {}): AsyncFuzzTarget<Frame> & { start(): Promise<void>; stop(): Promise<boolean>; lanes: number } {
  const lanes = opts.lanes ?? 8;
  let server: TestServer | undefined;
  let cookie = '';
  const meetings: string[] = [];
  let templates: Record<string, unknown>[] = [];
  let types: string[] = [];
  const open: (Lane | null)[] = Array.from({ length: lanes }, () => null);
  const used = new Array<number>(lanes).fill(0);
  let ids = 0;

  async function laneFor(i: number): Promise<Lane> {
    const cur = open[i];
    if (cur && cur.closed === null && (used[i] as number) < LANE_FRAMES) return cur;
    if (cur) {
      if (cur.closed === null) await cur.send(JSON.stringify({ type: 'leave', id: 'bye' }));
      cur.close();
    }
    const s = server as TestServer;
    const lane = await Lane.open(s.wsUrl, i === 0 ? cookie : undefined);
    await lane.send(JSON.stringify({ type: 'hello', id: 'h', v: 1 }));
    const meetingId = meetings[(ids + i) % meetings.length] as string;
    await lane.send(JSON.stringify({ type: 'join', id: 'j', meetingId, displayName: i === 0 ? 'Host' : `Lane ${i}` }));
    if (i === 0) await lane.send(JSON.stringify({ type: 'host.lock', id: 'u', locked: false }));
    open[i] = lane;
    used[i] = 0;
    return lane;
  }

  return {
    name: 'signaling (in-process server, WebSocket frames)',
    lanes,
    async start() {
      meetings.length = 0;
      open.fill(null);
      used.fill(0);
      server = await startServer();
      const host = await signUp(server);
      cookie = host.cookie;
      for (let k = 0; k < 8; k++) meetings.push((await createMeeting(server, cookie, { title: `Fuzz ${k}` })).id);
      templates = seeds(meetings[0] as string, 'someone');
      // Not host.end: the host lane would end the meetings the other lanes join.
      types = [...new Set(templates.map((t) => t.type as string)), 'meeting.spy', '', 'hello ', 'HELLO'];
    },
    async stop() {
      for (const l of open) l?.close();
      const s = server as TestServer;
      const health = await s.app.inject({ method: 'GET', url: '/healthz' });
      await s.close();
      return health.statusCode === 200;
    },
    next(rng) {
      const r = rng.next();
      const seed = rng.pick(templates);
      const label = seed.type as string;
      const withId = { ...seed, id: `f${++ids}` };
      if (r < 0.01) return { seed: 'utf8', data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), binary: false };
      if (r < 0.02) return { seed: 'binary', data: randomBytes(rng, 64), binary: true };
      if (r < 0.022) return { seed: 'oversized', data: JSON.stringify({ ...withId, pad: 'p'.repeat(MAX_MESSAGE_BYTES) }), binary: false };
      if (r < 0.05) return { seed: 'noise', data: randomBytes(rng, 80).toString('latin1'), binary: false };
      if (r < 0.2) return { seed: label, data: mutate(rng, Buffer.from(JSON.stringify(withId))).toString('latin1'), binary: false };
      if (r < 0.3) return { seed: label, data: JSON.stringify(withId), binary: false };
      return { seed: label, data: mutateJson(rng, withId, types), binary: false };
    },
    show: (f) => `${f.seed} ${f.binary ? 'binary ' : ''}${(typeof f.data === 'string' ? JSON.stringify(f.data) : f.data.toString('hex')).slice(0, 300)}`,
    async run(f, i) {
      const lane = await laneFor(i);
      used[i] = (used[i] as number) + 1;
      const reply = await lane.send(f.data, f.binary);
      if (reply.kind === 'closed') {
        if (!EXPECTED_CLOSE.test(String(reply.code))) throw new Error(`socket closed abnormally (${reply.code})`);
        return `${f.seed}:closed ${reply.code}`;
      }
      if (reply.code === 'INTERNAL') throw new Error('INTERNAL error: an exception escaped the handler');
      return `${f.seed}:${reply.code}`;
    },
  };
}
