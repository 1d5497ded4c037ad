/**
 * coturn as the suite starts it (scripts/services.mjs startCoturn): real TURN allocations over
 * UDP and over TLS with the time-limited REST credentials Parley hands out, relaying real
 * datagrams to a local peer and back. Skips only when coturn cannot be installed here.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, services, type CoturnHandle } from './services.js';
import { TurnClient, TurnError, type Address } from './turn-client.js';

const svc = await services();
const turn: CoturnHandle | null = await svc.ensureCoturn();
if (!turn) console.warn('SKIPPED: coturn (Debian package `coturn`) could not be installed or started here; see the message above.');

let peer: dgram.Socket;
let peerAddr: Address;

beforeAll(async () => {
  // The "other side": a plain UDP socket that echoes whatever reaches it, tagged with where it came from.
  peer = dgram.createSocket('udp4');
  peer.on('message', (msg, rinfo) => peer.send(Buffer.concat([Buffer.from(`echo from ${rinfo.address}:${rinfo.port} `), msg]), rinfo.port, rinfo.address));
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
  peerAddr = { address: '127.0.0.1', port: peer.address().port };
});
afterAll(() => {
  peer.close();
  turn?.stop();
});

describe.skipIf(!turn)('coturn started by scripts/services.mjs', () => {
  const server = (tls: boolean): Address => ({ address: turn!.host, port: tls ? turn!.tlsPort : turn!.port });

  for (const transport of ['udp', 'tls'] as const) {
    it(`relays a datagram to a peer and back over TURN/${transport.toUpperCase()} with REST credentials`, async () => {
      const ca = readFileSync(turn!.cert);
      const client = await TurnClient.connect(transport, server(transport === 'tls'), ca);
      try {
        const { username, credential } = svc.turnCredentials(turn!.secret, `alice-${transport}`, 600);
        const relayed = await client.allocate(username, credential);
        expect(relayed.address).toBe('127.0.0.1');
        expect(relayed.port).not.toBe(turn!.port);
        await client.permit(peerAddr);
        client.send(peerAddr, Buffer.from('ping'));
        const got = await client.receive();
        expect(got.from).toEqual(peerAddr);
        // The peer saw the datagram come from the relayed address, not from the client's socket.
        expect(got.data.toString()).toBe(`echo from 127.0.0.1:${relayed.port} ping`);
      } finally {
        client.close();
      }
    });
  }

  it('refuses a credential made with another secret, and an expired one', async () => {
    const wrong = svc.turnCredentials('not-the-secret', 'mallory', 600);
    const expired = svc.turnCredentials(turn!.secret, 'mallory', -60);
    for (const c of [wrong, expired]) {
      const client = await TurnClient.connect('udp', server(false));
      try {
        const err = await client.allocate(c.username, c.credential).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TurnError);
        expect((err as TurnError).code).toBe(401);
      } finally {
        client.close();
      }
    }
  });

  it('refuses TURN over TLS to a client that does not trust the certificate', async () => {
    const err = await TurnClient.connect('tls', server(true), '').catch((e: unknown) => e);
    expect(String(err)).toMatch(/self-signed|certificate/i);
  });
});

describe.skipIf(!turn)('deploy/coturn/turnserver.conf as written (addresses, ports, files and secret replaced)', () => {
  let prod: CoturnHandle;
  beforeAll(async () => {
    prod = await svc.startCoturn({ baseConfig: readFileSync(path.join(root, 'deploy/coturn/turnserver.conf'), 'utf8'), allowLoopbackPeers: false });
  });
  afterAll(() => prod.stop());

  it('serves TURN over TLS and over UDP on its one main port (443 in production)', async () => {
    for (const transport of ['tls', 'udp'] as const) {
      const client = await TurnClient.connect(transport, { address: prod.host, port: prod.port }, readFileSync(prod.cert));
      try {
        const { username, credential } = svc.turnCredentials(prod.secret, `bob-${transport}`, 600);
        const relayed = await client.allocate(username, credential);
        expect(relayed.address).toBe('127.0.0.1');
        // A public address may be reached (the SFU is on one).
        await expect(client.permit({ address: '198.51.100.7', port: 5000 })).resolves.toBeUndefined();
      } finally {
        client.close();
      }
    }
  });

  it("refuses to relay to the server's loopback and to private networks", async () => {
    const client = await TurnClient.connect('udp', { address: prod.host, port: prod.port });
    try {
      const { username, credential } = svc.turnCredentials(prod.secret, 'mallory', 600);
      await client.allocate(username, credential);
      for (const address of ['127.0.0.1', '10.1.2.3', '192.168.1.1', '172.16.0.1', '169.254.169.254']) {
        const err = await client.permit({ address, port: 5432 }).catch((e: unknown) => e);
        expect([address, (err as TurnError).code]).toEqual([address, 403]);
      }
    } finally {
      client.close();
    }
  });
});
