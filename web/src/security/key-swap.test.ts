/**
 * A4: a malicious server must never swap a member's key unnoticed. Played as the server:
 * it sends the client a forged second `join` for someone already present (new key, same
 * participant), or binds a different key to an account this browser already knows. The
 * chain must go invalid / the member must be flagged, and no media key may be sent to the
 * swapped key before the person confirms it.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRosterEvent, GENESIS, type RosterEvent, type RosterEventBody } from '../../../protocol/roster-chain.js';
import { ChainKeeper } from './chain-keeper.js';
import type { PinStore } from './pins.js';
import { generateIdentity, type DeviceIdentity } from './identity.js';
import { KeyManager } from './key-manager.js';
import { KeyPins } from './pins.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A chain as a (possibly malicious) server builds it: correctly hashed and linked. */
class ServerChain {
  readonly events: RosterEvent[] = [];
  constructor(readonly meetingId: string) {}
  add(kind: RosterEventBody['kind'], p?: { id: string; name: string; key?: string; account?: string }): RosterEvent {
    const body: RosterEventBody = { v: 1, seq: this.events.length, prev: this.events.at(-1)?.hash ?? GENESIS, kind, meetingId: this.meetingId, at: Date.now() };
    if (p) {
      body.participantId = p.id;
      body.displayName = p.name;
      body.role = 'participant';
      if (p.key !== undefined) body.identityKey = p.key;
      if (p.account !== undefined) body.account = p.account;
    }
    const e = { ...body, hash: sha(canonicalRosterEvent(body)) };
    this.events.push(e);
    return e;
  }
}

function memoryPins(): KeyPins {
  const map = new Map<string, string>();
  const store: PinStore = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
  return new KeyPins(store);
}

/** This device's key manager, recording every key blob it hands the server, by recipient. */
function keyManager(meetingId: string, self: DeviceIdentity, chain: ChainKeeper) {
  const sent: string[] = [];
  const km = new KeyManager({
    meetingId,
    selfId: 'me',
    identity: self,
    chain,
    send: (to) => {
      sent.push(to);
      return Promise.resolve();
    },
    post: () => undefined,
    switchDelayMs: 0,
  });
  return { km, sent };
}

const settle = () => new Promise((r) => setTimeout(r, 120)); // past the 50 ms rotation debounce

describe('a swapped key', () => {
  it('marks the chain invalid when the server sends a second join for a member already present, and sends no key to anyone after', async () => {
    const [me, ann, mallory] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
    const server = new ServerChain('m1');
    server.add('join', { id: 'me', name: 'Me', key: me.publicKey });
    server.add('join', { id: 'ann', name: 'Ann', key: ann.publicKey });
    const chain = new ChainKeeper('m1', { pins: memoryPins(), selfId: 'me' });
    await chain.load(server.events);
    const { km, sent } = keyManager('m1', me, chain);
    km.start();
    await settle();
    expect(sent).toEqual(['ann']);

    // The server rebinds Ann's participant id to Mallory's key, with no leave in between.
    await chain.append(server.add('join', { id: 'ann', name: 'Ann', key: mallory.publicKey }));
    expect(chain.verified).toBe(false);
    expect(chain.state().warnings.map((w) => (w.kind === 'chain-invalid' ? w.problem : w.kind))).toContainEqual({
      kind: 'rejoin',
      at: 2,
      participantId: 'ann',
    });
    await km.rotate();
    await settle();
    expect(sent).toEqual(['ann']); // nothing more: not to Mallory's key, not to anyone
    km.close();
  });

  it('accepts a join after a leave (same participant id is never reused by the server, but a leave ends membership)', async () => {
    const server = new ServerChain('m2');
    server.add('join', { id: 'a', name: 'A' });
    server.add('leave', { id: 'a', name: 'A' });
    server.add('join', { id: 'a', name: 'A' });
    const chain = new ChainKeeper('m2', { pins: memoryPins() });
    await chain.load(server.events);
    expect(chain.verified).toBe(true);
  });

  it('shows "<name>\'s security key changed" for an account whose key differs from an earlier meeting, and sends it no key until confirmed', async () => {
    const [me, ann, mallory] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
    const pins = memoryPins();
    // Meeting 1: Ann's account with her real key (trusted on first use).
    const first = new ServerChain('m3');
    first.add('join', { id: 'me', name: 'Me', key: me.publicKey, account: 'acct-me' });
    first.add('join', { id: 'ann1', name: 'Ann', key: ann.publicKey, account: 'acct-ann' });
    const c1 = new ChainKeeper('m3', { pins, selfId: 'me' });
    await c1.load(first.events);
    expect(c1.state().warnings).toEqual([]);

    // Meeting 2: the server presents Ann's account with Mallory's key.
    const second = new ServerChain('m4');
    second.add('join', { id: 'me2', name: 'Me', key: me.publicKey, account: 'acct-me' });
    second.add('join', { id: 'ann2', name: 'Ann', key: mallory.publicKey, account: 'acct-ann' });
    const c2 = new ChainKeeper('m4', { pins, selfId: 'me2' });
    await c2.load(second.events);
    expect(c2.state().warnings).toMatchObject([{ kind: 'key-changed', participantId: 'ann2', displayName: 'Ann' }]);
    expect(c2.isTrusted('ann2')).toBe(false);
    expect(c2.isMember('ann2')).toBe(true);

    const sent: string[] = [];
    const km = new KeyManager({
      meetingId: 'm4',
      selfId: 'me2',
      identity: me,
      chain: c2,
      send: (to) => {
        sent.push(to);
        return Promise.resolve();
      },
      post: () => undefined,
      switchDelayMs: 0,
    });
    km.start();
    await settle();
    expect(sent).toEqual([]); // no key before confirmation

    // The person compares the key out of band and confirms: now (and only now) Ann gets a key.
    c2.trustKey('ann2');
    await settle();
    expect(sent).toEqual(['ann2']);
    expect(c2.state().warnings).toEqual([]);
    km.close();

    // A later meeting with the confirmed key raises nothing.
    const third = new ServerChain('m5');
    third.add('join', { id: 'ann3', name: 'Ann', key: mallory.publicKey, account: 'acct-ann' });
    const c3 = new ChainKeeper('m5', { pins });
    await c3.load(third.events);
    expect(c3.state().warnings).toEqual([]);
  });
});
