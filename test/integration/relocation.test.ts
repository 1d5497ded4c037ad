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

  it('moves to a new public address seen on the media path, with the database as evidence', async () => {
    const { id, where } = await joined();
    await server.services.rooms.relocate(id, '114.114.114.114');
    expect(where().country).toBe('CN');
    expect(where().database.name).not.toBe('test-mapping');
    await server.services.rooms.relocate(id, '8.8.8.8');
    expect(where().country).toBe('US');
  });

  it('ignores a private media-path address instead of turning a known location into unknown', async () => {
    const { id, where } = await joined();
    await server.services.rooms.relocate(id, '10.1.2.3');
    expect(where()).toMatchObject({ country: 'HK', address: '127.0.0.1' });
  });
});
