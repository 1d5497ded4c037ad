/**
 * A4: a server that says a live E2EE meeting is now plain must not get plain chat or plain
 * media from this client. The session fixes its mode at join, remembers meetings seen as
 * E2EE (pins.ts), and raises the downgrade alarm instead of following the claim.
 */
import { describe, expect, it } from 'vitest';
import type { JoinResult, MeetingInfo } from '../../../protocol/signaling.js';
import { isPinnedE2ee, observeE2ee, type PinStore } from './pins.js';
import { SecuritySession, type SecuritySignaling } from './e2ee-session.js';
import { generateIdentity } from './identity.js';

function memoryPins(): PinStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

/** The signaling a server drives: it can push any event it likes. */
class FakeServer implements SecuritySignaling {
  readonly listeners = new Map<string, ((d: unknown) => void)[]>();
  readonly sent: { type: string; payload: unknown }[] = [];
  request(type: 'e2ee.key', payload: { to: string; blob: string }): Promise<unknown> {
    this.sent.push({ type, payload });
    return Promise.resolve({ ok: true });
  }
  on(event: string, cb: (data: unknown) => void): () => void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), cb]);
    return () => undefined;
  }
  push(event: string, data: unknown): void {
    for (const cb of this.listeners.get(event) ?? []) cb(data);
  }
}

const meeting = (meetingId: string, e2ee: boolean): MeetingInfo => ({ meetingId, title: 'Vigil', locked: false, waitingRoom: false, e2ee });
const joinResult = (m: MeetingInfo): JoinResult => ({
  participantId: 'me',
  resumeToken: 't',
  state: 'joined',
  role: 'participant',
  meeting: m,
  roster: [],
  chain: [],
  iceServers: [],
});

async function session(m: MeetingInfo, pins: PinStore, server = new FakeServer()) {
  return { server, s: new SecuritySession({ signaling: server, join: joinResult(m), identity: await generateIdentity(), pins }) };
}

describe('E2EE downgrade', () => {
  it('keeps an E2EE session encrypted when meeting.updated says e2ee is off: no plain chat, and the alarm is raised', async () => {
    const pins = memoryPins();
    const { server, s } = await session(meeting('m1', true), pins);
    expect(s.e2ee).toBe(true);
    expect(s.downgradeClaimed).toBe(false);
    let changes = 0;
    s.onChange(() => changes++);
    server.push('meeting.updated', meeting('m1', false));
    expect(s.e2ee).toBe(true);
    expect(s.downgradeClaimed).toBe(true);
    expect(s.state()).toMatchObject({ e2ee: true, downgrade: true });
    expect(changes).toBeGreaterThan(0);
    // No key in this (Node) runtime: sealing fails, and it never falls back to plain text.
    await expect(s.chatPayload('we remember')).rejects.toThrow();
    s.close();
  });

  it('stays E2EE for a meeting this browser saw as E2EE, even when a later join result says plain', async () => {
    const pins = memoryPins();
    (await session(meeting('m2', true), pins)).s.close();
    expect(isPinnedE2ee('m2', pins)).toBe(true);
    const { s } = await session(meeting('m2', false), pins);
    expect(s.e2ee).toBe(true);
    expect(s.downgradeClaimed).toBe(true);
    await expect(s.chatPayload('we remember')).rejects.toThrow();
    s.close();
  });

  it('raises the alarm when a re-join result says plain', async () => {
    const { s } = await session(meeting('m3', true), memoryPins());
    await s.rejoined(joinResult(meeting('m3', false)));
    expect(s.downgradeClaimed).toBe(true);
    expect(s.e2ee).toBe(true);
    s.close();
  });

  it('sends plain chat in a meeting that was never E2EE here, and ignores claims about other meetings', async () => {
    const pins = memoryPins();
    const { server, s } = await session(meeting('m4', false), pins);
    expect(await s.chatPayload('hello')).toEqual({ text: 'hello' });
    server.push('meeting.updated', meeting('other', false));
    expect(s.downgradeClaimed).toBe(false);
    s.close();
  });

  it('pins a meeting claimed as E2EE and reports a later plain claim as a downgrade', () => {
    const pins = memoryPins();
    expect(observeE2ee('m5', false, pins)).toEqual({ e2ee: false, downgrade: false });
    expect(observeE2ee('m5', true, pins)).toEqual({ e2ee: true, downgrade: false });
    expect(observeE2ee('m5', false, pins)).toEqual({ e2ee: true, downgrade: true });
    const broken: PinStore = {
      getItem: () => null,
      setItem: () => {
        throw new Error('quota');
      },
    };
    expect(observeE2ee('m6', true, broken)).toEqual({ e2ee: true, downgrade: false });
    expect(observeE2ee('m6', false, broken)).toEqual({ e2ee: true, downgrade: true }); // held in the page's memory
  });
});
