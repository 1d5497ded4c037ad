/**
 * Raise hand (issue 17): `hand.raise` sets the participant's own `hand` in the roster entry
 * everyone receives (participant.updated), lowering clears it, and only a joined participant
 * may do it.
 */
import { describe, expect, it } from 'vitest';
import type { RosterEntry } from '../../protocol/signaling.js';
import { createMeeting, serverPerTest, signUp } from '../helpers/app.js';

const { server, client, joined } = serverPerTest();

describe('hand.raise', () => {
  it('shows a raised hand in the roster entry everyone receives, and clears it when lowered', async () => {
    const owner = await signUp(server);
    const m = await createMeeting(server, owner.cookie);
    const host = await joined(m.id, 'Host', owner.cookie);
    const ann = await joined(m.id, 'Ann');

    await ann.ws.request('hand.raise', { raised: true });
    const up = await host.ws.waitEvent('participant.updated', (d: RosterEntry) => d.participantId === ann.id && d.hand === true);
    expect((up.data as RosterEntry).displayName).toBe('Ann');

    await ann.ws.request('hand.raise', { raised: false });
    const down = await host.ws.waitEvent('participant.updated', (d: RosterEntry) => d.participantId === ann.id && d.hand !== true);
    expect((down.data as RosterEntry).hand).toBeUndefined();
  });

  it('refuses a hand from a socket that has not joined', async () => {
    const ws = await client();
    const r = await ws.send('hand.raise', { raised: true });
    expect(r.ok ? 'ok' : r.error.code).toBe('NOT_IN_MEETING');
  });
});
