import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMeeting, signUp, startServer, WsClient, type TestServer } from '../helpers/app.js';

let server: TestServer;
const clients: WsClient[] = [];
beforeEach(async () => {
  // 127.0.0.1 is where the test clients connect from; the map gives it a known country.
  server = await startServer({ config: { GEO_TEST_MAP: '127.0.0.1=HK' } });
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server.close();
});

describe('location after a network path change', () => {
  async function joined() {
    const host = await signUp(server);
    const m = await createMeeting(server, host.cookie);
    const a = await WsClient.open(server.wsUrl);
    clients.push(a);
    const aj = await a.request<{ participantId: string }>('join', { meetingId: m.id, displayName: 'Ann' });
    const where = () => server.services.rooms.listParticipants(m.id).find((p) => p.participantId === aj.participantId)!.location;
    return { id: aj.participantId, where };
  }

  it('takes the location at join from the client address, with its evidence', async () => {
    const { where } = await joined();
    expect(where()).toMatchObject({ country: 'HK', status: 'known', address: '127.0.0.1', database: { name: 'test-mapping' } });
  });

  it('re-locates from the signaling address with the database as evidence (a database reload)', async () => {
    const { id, where } = await joined();
    await server.services.rooms.relocate(id, '114.114.114.114');
    expect(where().country).toBe('CN');
    expect(where().database.name).not.toBe('test-mapping');
    await server.services.rooms.relocate(id, '8.8.8.8');
    expect(where().country).toBe('US');
  });

  it('never moves anyone into another country on a media path: a srflx address in CN is noted, the location stays HK', async () => {
    const { id, where } = await joined();
    const verdict = server.services.rooms.mediaPathChanged(id, { address: '114.114.114.114', candidateType: 'srflx' });
    expect(verdict).toEqual({ kind: 'disagrees', country: 'CN', current: 'HK' });
    expect(where()).toMatchObject({ country: 'HK', address: '127.0.0.1' });
  });

  it('takes nothing from a TURN relay address or a private media-path address', async () => {
    const { id, where } = await joined();
    expect(server.services.rooms.mediaPathChanged(id, { address: '114.114.114.114', candidateType: 'relay' })).toEqual({ kind: 'ignored', reason: 'relay' });
    expect(server.services.rooms.mediaPathChanged(id, { address: '10.1.2.3', candidateType: 'host' })).toEqual({ kind: 'ignored', reason: 'private-range' });
    expect(where()).toMatchObject({ country: 'HK', address: '127.0.0.1' });
  });
});
