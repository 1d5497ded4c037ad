/**
 * Least impact by construction (issue 11 item 8), on a real server: what policy/ holds of the
 * room manager is a frozen port with exactly the operations a demand may use, and the engine
 * other domains get is a frozen set of methods with no state to read or write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPolicyServer, type PolicyTestServer } from '../../server/policy/test-helpers.js';

let server: PolicyTestServer;
beforeAll(async () => {
  server = await startPolicyServer();
});
afterAll(async () => {
  await server.close();
});

describe('the policy port', () => {
  it('is frozen and has exactly survey, remove with notice and notify hosts: nothing ends a meeting, suspends an account or deletes', () => {
    const port = server.policy.enforcementPort();
    expect(port).not.toBeNull();
    expect(Object.isFrozen(port)).toBe(true);
    expect(Object.keys(port!).sort()).toEqual([
      'hostOf',
      'listParticipants',
      'liveMeetingIds',
      'notifyHosts',
      'removeForPolicy',
      'removeManyForPolicy',
      'survey',
    ]);
    for (const name of ['endRoom', 'end', 'close', 'suspend', 'setStatus', 'delete', 'recheckAll', 'relocateAll']) expect(name in port!).toBe(false);
    expect(Object.getPrototypeOf(port)).toBe(Object.prototype); // not a RoomManager under another name
    expect(port).not.toBe(server.services.rooms);
    expect(() => Object.assign(port!, { endRoom: () => undefined })).toThrow(TypeError);
  });
});

describe('the policy engine', () => {
  it('exposes methods only: no context, caches or port to write, and nothing can be added or replaced', () => {
    const engine = server.policy as unknown as Record<string, unknown>;
    expect('ctx' in engine).toBe(false);
    expect(Object.isFrozen(engine)).toBe(true);
    const notMethods = Object.entries(engine).filter(([, v]) => typeof v !== 'function');
    expect(notMethods.map(([k]) => k)).toEqual([]);
    expect(() => Object.assign(engine, { evaluate: () => ({ effect: 'allow' }) })).toThrow(TypeError);
    // The cluster reconciles through these, never through the engine's caches.
    expect(typeof engine['reloadFromStore']).toBe('function');
    expect(typeof engine['enforceApproved']).toBe('function');
  });
});
