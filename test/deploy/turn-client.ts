/**
 * A minimal TURN client (RFC 5766 / 8656, long-term credentials, RFC 5389 framing) over UDP or
 * TLS, written by hand so a test can prove that a real relay allocation happened: libjuice (behind
 * node-datachannel) does not support TURN over TLS and still checks host paths under a
 * relay-only policy, so a data channel opening would not show that the relay carried it.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import tls from 'node:tls';

const MAGIC = 0x2112a442;
const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  XOR_PEER_ADDRESS: 0x0012,
  DATA: 0x0013,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
} as const;
const METHOD = { ALLOCATE: 0x0003, CREATE_PERMISSION: 0x0008, SEND_INDICATION: 0x0016, DATA_INDICATION: 0x0017 } as const;

export interface Address {
  address: string;
  port: number;
}

interface Message {
  type: number;
  tid: Buffer;
  attrs: Map<number, Buffer>;
}

function encode(type: number, tid: Buffer, attrs: [number, Buffer][], integrityKey?: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [t, v] of attrs) {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(t, 0);
    head.writeUInt16BE(v.length, 2);
    parts.push(head, v, Buffer.alloc((4 - (v.length % 4)) % 4));
  }
  let body = Buffer.concat(parts);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC, 4);
  tid.copy(header, 8);
  if (integrityKey) {
    // The length covers MESSAGE-INTEGRITY itself (RFC 5389 §15.4).
    header.writeUInt16BE(body.length + 24, 2);
    const mac = createHmac('sha1', integrityKey)
      .update(Buffer.concat([header, body]))
      .digest();
    const head = Buffer.alloc(4);
    head.writeUInt16BE(ATTR.MESSAGE_INTEGRITY, 0);
    head.writeUInt16BE(20, 2);
    body = Buffer.concat([body, head, mac]);
  }
  header.writeUInt16BE(body.length, 2);
  return Buffer.concat([header, body]);
}

function decode(buf: Buffer): Message {
  if (buf.length < 20 || buf.readUInt32BE(4) !== MAGIC) throw new Error('not a STUN message');
  const len = buf.readUInt16BE(2);
  const attrs = new Map<number, Buffer>();
  for (let off = 20; off + 4 <= 20 + len;) {
    const t = buf.readUInt16BE(off);
    const l = buf.readUInt16BE(off + 2);
    attrs.set(t, buf.subarray(off + 4, off + 4 + l));
    off += 4 + l + ((4 - (l % 4)) % 4);
  }
  return { type: buf.readUInt16BE(0), tid: buf.subarray(8, 20), attrs };
}

function xorAddress(a: Address): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(0x01, 1);
  b.writeUInt16BE(a.port ^ (MAGIC >>> 16), 2);
  const ip = a.address.split('.').map(Number);
  b.writeUInt32BE((((ip[0]! << 24) | (ip[1]! << 16) | (ip[2]! << 8) | ip[3]!) ^ MAGIC) >>> 0, 4);
  return b;
}

function readXorAddress(b: Buffer): Address {
  const port = b.readUInt16BE(2) ^ (MAGIC >>> 16);
  const n = (b.readUInt32BE(4) ^ MAGIC) >>> 0;
  return { address: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), port };
}

/** A TURN error (e.g. 401 for refused credentials). */
export class TurnError extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(`TURN error ${code} ${reason}`);
  }
}

interface Transport {
  send(b: Buffer): void;
  onMessage(cb: (m: Message) => void): void;
  close(): void;
}

function udpTransport(server: Address): Promise<Transport> {
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      resolve({
        send: (b) => sock.send(b, server.port, server.address),
        onMessage: (cb) => sock.on('message', (b) => cb(decode(b))),
        close: () => sock.close(),
      });
    });
  });
}

/** TURN over TLS, verifying the server's certificate against `ca` (no verification turned off). */
function tlsTransport(server: Address, ca: string | Buffer): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: server.address, port: server.port, ca, servername: undefined }, () => {
      let pending = Buffer.alloc(0);
      const listeners: ((m: Message) => void)[] = [];
      s.on('data', (d: Buffer) => {
        pending = Buffer.concat([pending, d]);
        while (pending.length >= 20 && pending.length >= 20 + pending.readUInt16BE(2)) {
          const n = 20 + pending.readUInt16BE(2);
          const m = decode(pending.subarray(0, n));
          pending = pending.subarray(n);
          for (const l of listeners) l(m);
        }
      });
      resolve({ send: (b) => s.write(b), onMessage: (cb) => listeners.push(cb), close: () => s.destroy() });
    });
    s.once('error', reject);
  });
}

/** One TURN allocation: allocate, permit a peer, send to it and receive from it through the relay. */
export class TurnClient {
  readonly #t: Transport;
  readonly #waiting = new Map<string, (m: Message) => void>();
  readonly #data: { from: Address; data: Buffer }[] = [];
  #dataWaiter: (() => void) | null = null;
  #auth: { key: Buffer; attrs: [number, Buffer][] } | null = null;

  private constructor(t: Transport) {
    this.#t = t;
    t.onMessage((m) => {
      if (m.type === METHOD.DATA_INDICATION) {
        const peer = m.attrs.get(ATTR.XOR_PEER_ADDRESS);
        const data = m.attrs.get(ATTR.DATA);
        if (peer && data) this.#data.push({ from: readXorAddress(peer), data: Buffer.from(data) });
        this.#dataWaiter?.();
        return;
      }
      this.#waiting.get(m.tid.toString('hex'))?.(m);
    });
  }

  static async connect(transport: 'udp' | 'tls', server: Address, ca?: string | Buffer): Promise<TurnClient> {
    return new TurnClient(transport === 'udp' ? await udpTransport(server) : await tlsTransport(server, ca ?? ''));
  }

  #request(method: number, attrs: [number, Buffer][], key?: Buffer): Promise<Message> {
    const tid = randomBytes(12);
    const msg = encode(method, tid, attrs, key);
    return new Promise((resolve, reject) => {
      let tries = 0;
      // Retransmit (UDP may drop it); over TLS a duplicate is answered and ignored.
      const timer = setInterval(() => {
        if (++tries <= 20) {
          this.#t.send(msg);
          return;
        }
        clearInterval(timer);
        reject(new Error('TURN request timed out'));
      }, 250);
      this.#waiting.set(tid.toString('hex'), (m) => {
        clearInterval(timer);
        this.#waiting.delete(tid.toString('hex'));
        resolve(m);
      });
      this.#t.send(msg);
    });
  }

  static #error(m: Message): TurnError {
    const e = m.attrs.get(ATTR.ERROR_CODE);
    return e ? new TurnError(e.readUInt8(2) * 100 + e.readUInt8(3), e.subarray(4).toString('utf8')) : new TurnError(0, 'no ERROR-CODE');
  }

  /** Allocate a relayed UDP address with long-term credentials (first request draws the 401 challenge). */
  async allocate(username: string, password: string): Promise<Address> {
    const transport: [number, Buffer] = [ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0])];
    const challenge = await this.#request(METHOD.ALLOCATE, [transport]);
    if (challenge.type !== (METHOD.ALLOCATE | 0x0110)) throw new Error(`expected a 401 challenge, got type 0x${challenge.type.toString(16)}`);
    const realm = challenge.attrs.get(ATTR.REALM);
    const nonce = challenge.attrs.get(ATTR.NONCE);
    if (!realm || !nonce) throw TurnClient.#error(challenge);
    const key = createHash('md5')
      .update(`${username}:${realm.toString('utf8')}:${password}`)
      .digest();
    this.#auth = {
      key,
      attrs: [
        [ATTR.USERNAME, Buffer.from(username)],
        [ATTR.REALM, realm],
        [ATTR.NONCE, nonce],
      ],
    };
    const res = await this.#request(METHOD.ALLOCATE, [transport, ...this.#auth.attrs], key);
    if (res.type !== (METHOD.ALLOCATE | 0x0100)) throw TurnClient.#error(res);
    const relayed = res.attrs.get(ATTR.XOR_RELAYED_ADDRESS);
    if (!relayed) throw new Error('no XOR-RELAYED-ADDRESS in the Allocate success');
    return readXorAddress(relayed);
  }

  async permit(peer: Address): Promise<void> {
    if (!this.#auth) throw new Error('allocate first');
    const res = await this.#request(METHOD.CREATE_PERMISSION, [[ATTR.XOR_PEER_ADDRESS, xorAddress(peer)], ...this.#auth.attrs], this.#auth.key);
    if (res.type !== (METHOD.CREATE_PERMISSION | 0x0100)) throw TurnClient.#error(res);
  }

  send(peer: Address, data: Buffer): void {
    this.#t.send(
      encode(METHOD.SEND_INDICATION, randomBytes(12), [
        [ATTR.XOR_PEER_ADDRESS, xorAddress(peer)],
        [ATTR.DATA, data],
      ]),
    );
  }

  /** The next datagram a peer sent to the relayed address. */
  async receive(timeoutMs = 5000): Promise<{ from: Address; data: Buffer }> {
    const deadline = Date.now() + timeoutMs;
    while (this.#data.length === 0) {
      if (Date.now() > deadline) throw new Error('no Data indication from the relay');
      await new Promise<void>((r) => {
        this.#dataWaiter = r;
        setTimeout(r, 100);
      });
    }
    return this.#data.shift()!;
  }

  close(): void {
    this.#t.close();
  }
}
