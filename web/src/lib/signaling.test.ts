import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api.js';
import { SignalingClient, type ConnectionState } from './signaling.js';

/** A scripted stand-in for the browser WebSocket: records frames, lets the test answer. */
class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(frame: string) {
    this.sent.push(JSON.parse(frame) as Record<string, unknown>);
  }
  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  // test side
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  reply(type: string, result: unknown) {
    const req = [...this.sent].reverse().find((m) => m.type === type);
    if (!req) throw new Error(`no ${type} sent; sent: ${this.sent.map((m) => m.type).join(',')}`);
    this.onmessage?.({ data: JSON.stringify({ type: 'response', id: req.id, ok: true, result }) });
  }
  fail(type: string, code: string, details?: unknown) {
    const req = [...this.sent].reverse().find((m) => m.type === type);
    if (!req) throw new Error(`no ${type} sent`);
    this.onmessage?.({ data: JSON.stringify({ type: 'response', id: req.id, ok: false, error: { code, message: code, details } }) });
  }
  event(event: string, data: unknown) {
    this.onmessage?.({ data: JSON.stringify({ type: 'event', event, data }) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const last = () => {
  const s = FakeSocket.instances.at(-1);
  if (!s) throw new Error('no socket');
  return s;
};
const flush = () => new Promise<void>((r) => queueMicrotask(r)).then(() => Promise.resolve());

function joinResult(token: string) {
  return {
    participantId: 'p1',
    resumeToken: token,
    state: 'joined',
    role: 'participant',
    meeting: { meetingId: 'm1', title: 'T', locked: false, waitingRoom: false, e2ee: false },
    roster: [],
    iceServers: [],
  };
}

/** Connect, say hello, and send a join; the server's answer to the join is the caller's. */
async function connectAndAskToJoin(client: SignalingClient) {
  client.connect();
  const ws = last();
  ws.open();
  await flush();
  ws.reply('hello', { v: 1 });
  await flush();
  const joined = client.request('join', { meetingId: 'm1', displayName: 'Ann' });
  await flush();
  return { ws, joined };
}

async function connectAndJoin(client: SignalingClient) {
  const { ws, joined } = await connectAndAskToJoin(client);
  ws.reply('join', joinResult('tok-1'));
  await joined;
  return ws;
}

let client: SignalingClient;
beforeEach(() => {
  FakeSocket.instances = [];
  vi.useFakeTimers();
  client = new SignalingClient({ url: 'ws://test/ws', WebSocketImpl: FakeSocket as unknown as typeof WebSocket });
});
afterEach(() => {
  client.close();
  vi.useRealTimers();
});

describe('SignalingClient', () => {
  it('sends hello first and holds requests made earlier until it is answered', async () => {
    client.connect();
    const ws = last();
    const chat = client.request('chat.send', { text: 'hi' });
    ws.open();
    await flush();
    expect(ws.sent.map((m) => m.type)).toEqual(['hello']);
    expect(ws.sent[0]).toMatchObject({ type: 'hello', v: 1 });
    ws.reply('hello', { v: 1 });
    await flush();
    await flush();
    expect(ws.sent.map((m) => m.type)).toEqual(['hello', 'chat.send']);
    ws.reply('chat.send', { ok: 1 });
    await expect(chat).resolves.toEqual({ ok: 1 });
  });

  it('rejects with an ApiError carrying the code and details on ok:false', async () => {
    client.connect();
    const ws = last();
    ws.open();
    await flush();
    ws.reply('hello', {});
    await flush();
    const join = client.request('join', { meetingId: 'm1', displayName: 'Ann' });
    await flush();
    ws.fail('join', 'LEGAL_RESTRICTION', { authority: 'X', jurisdiction: 'CN' });
    const err = await join.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'LEGAL_RESTRICTION', details: { authority: 'X', jurisdiction: 'CN' } });
  });

  it('times a request out after 10 seconds', async () => {
    await connectAndJoin(client);
    const p = client.request('chat.send', { text: 'x' });
    const caught = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_001);
    expect(await caught).toMatchObject({ code: 'TIMEOUT' });
  });

  it('reconnects after a drop and re-joins with the last resumeToken', async () => {
    const states: ConnectionState[] = [];
    client.onState((s) => states.push(s));
    const rejoined = vi.fn();
    client.onRejoined(rejoined);
    const first = await connectAndJoin(client);
    first.drop();
    expect(client.state).toBe('reconnecting');
    expect(FakeSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(400); // first backoff is ~250 ms
    expect(FakeSocket.instances).toHaveLength(2);
    const second = last();
    second.open();
    await flush();
    expect(second.sent.map((m) => m.type)).toEqual(['hello']);
    second.reply('hello', {});
    await flush();
    expect(second.sent[1]).toMatchObject({ type: 'join', meetingId: 'm1', displayName: 'Ann', resumeToken: 'tok-1' });
    second.reply('join', joinResult('tok-2'));
    await flush();
    await flush();
    expect(rejoined).toHaveBeenCalledOnce();
    expect(client.state).toBe('open');
    expect(states).toEqual(['open', 'reconnecting', 'open']);
    // the next reconnect uses the token from the re-join
    second.drop();
    await vi.advanceTimersByTimeAsync(400);
    const third = last();
    third.open();
    await flush();
    third.reply('hello', {});
    await flush();
    expect(third.sent[1]).toMatchObject({ type: 'join', resumeToken: 'tok-2' });
  });

  it('backs off from 250 ms up to 4 s between failed attempts', async () => {
    await connectAndJoin(client);
    last().drop();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = FakeSocket.instances.length;
      let waited = 0;
      while (FakeSocket.instances.length === before) {
        await vi.advanceTimersByTimeAsync(50);
        waited += 50;
      }
      delays.push(waited);
      last().drop();
    }
    expect(delays[0]).toBeLessThanOrEqual(350);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(3200);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4850);
  });

  it.each([4403, 4451, 4410])('does not reconnect after close code %i', async (code) => {
    await connectAndJoin(client);
    last().drop(code);
    expect(client.state).toBe('closed');
    expect(client.closeCode).toBe(code);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('does not reconnect after being removed, whatever the close code', async () => {
    const ws = await connectAndJoin(client);
    ws.event('you.removed', { kind: 'host' });
    ws.drop(1006);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('reports a refused re-join (e.g. location now restricted) and stops', async () => {
    const failed = vi.fn();
    client.onRejoinFailed(failed);
    await connectAndJoin(client);
    last().drop();
    await vi.advanceTimersByTimeAsync(400);
    const ws = last();
    ws.open();
    await flush();
    ws.reply('hello', {});
    await flush();
    ws.fail('join', 'LOCATION_RESTRICTED', { country: 'CN' });
    await flush();
    await flush();
    expect(failed).toHaveBeenCalledOnce();
    expect(failed.mock.calls[0]?.[0]).toMatchObject({ code: 'LOCATION_RESTRICTED' });
    expect(client.state).toBe('closed');
  });

  it('delivers events to subscribers by name and stops after unsubscribe', async () => {
    const ws = await connectAndJoin(client);
    const seen: unknown[] = [];
    const off = client.on('chat.message', (m) => seen.push(m.text));
    ws.event('chat.message', { messageId: '1', from: 'p2', displayName: 'B', text: 'one', at: 1 });
    ws.event('speaker.active', { participantId: 'p2' });
    off();
    ws.event('chat.message', { messageId: '2', from: 'p2', displayName: 'B', text: 'two', at: 2 });
    expect(seen).toEqual(['one']);
  });

  it('follows a MEETING_ELSEWHERE redirect to the hosting node and joins there', async () => {
    const { ws: a, joined } = await connectAndAskToJoin(client);
    a.fail('join', 'MEETING_ELSEWHERE', { redirect: { nodeId: 'node-b', url: 'http://b:8082', wsUrl: 'ws://b:8082/ws' } });
    await flush();
    const b = last();
    expect(b).not.toBe(a);
    expect(b.url).toBe('ws://b:8082/ws');
    b.open();
    await flush();
    b.reply('hello', { v: 1 });
    await flush();
    await flush();
    b.reply('join', joinResult('tok-b'));
    await expect(joined).resolves.toMatchObject({ resumeToken: 'tok-b' });
    expect(a.readyState).toBe(3);
  });

  it('does not follow a redirect that is not a ws:// or wss:// URL', async () => {
    const { ws: a, joined } = await connectAndAskToJoin(client);
    a.fail('join', 'MEETING_ELSEWHERE', { redirect: { wsUrl: 'javascript:alert(1)' } });
    await expect(joined).rejects.toMatchObject({ code: 'MEETING_ELSEWHERE' });
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('refuses media requests while reconnecting instead of replaying them into the next session', async () => {
    const ws = await connectAndJoin(client);
    ws.drop();
    const publish = client.request('media.publish', { sdp: 'v=0' });
    const chat = client.request('chat.send', { text: 'still queued' });
    await expect(publish).rejects.toMatchObject({ code: 'NETWORK' });
    vi.advanceTimersByTime(400);
    const again = last();
    again.open();
    await flush();
    again.reply('hello', { v: 1 });
    await flush();
    again.reply('join', joinResult('tok-2'));
    await flush();
    await flush();
    expect(again.sent.map((m) => m.type)).toEqual(['hello', 'join', 'chat.send']);
    again.reply('chat.send', { ok: 1 });
    await expect(chat).resolves.toEqual({ ok: 1 });
  });
});
