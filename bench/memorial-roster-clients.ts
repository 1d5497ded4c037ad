/**
 * The signaling clients of bench/memorial.ts's roster measurement, in a process of their own so
 * that the server's CPU can be read from its process alone. Forked with IPC:
 *   memorial-roster-clients.ts <wsUrl> <meetingId> <participants> <batched|single> <mark,mark,…>
 * Joins `participants` clients one after another (identity keys, like browsers); before join
 * number `mark - 9` and after join number `mark` it asks the parent to read its CPU and waits
 * for the answer. Reports join times, what the first client received per arrival, and the last
 * join result's size and chain; then 32 more join at once (a burst) and what one member got for them.
 */
import WebSocket from 'ws';

const [wsUrl = '', meetingId = '', nArg = '250', mode = 'batched', marksArg = ''] = process.argv.slice(2);
const N = Number(nArg);
const marks = new Set(marksArg.split(',').filter(Boolean).map(Number));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function ask(msg: object): Promise<void> {
  return new Promise((resolve) => {
    process.once('message', () => resolve());
    process.send?.(msg);
  });
}

interface Client {
  ws: WebSocket;
  bytes: number;
  frames: number;
  request(type: string, payload?: object): Promise<{ text: string; result: unknown }>;
}

async function open(): Promise<Client> {
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let n = 0;
  const waiting = new Map<string, (v: { text: string; result: unknown }) => void>();
  const c: Client = {
    ws,
    bytes: 0,
    frames: 0,
    request(type, payload = {}) {
      const id = `r${++n}`;
      ws.send(JSON.stringify({ type, id, ...payload }));
      return new Promise((resolve) => waiting.set(id, resolve));
    },
  };
  ws.on('message', (d: Buffer) => {
    const text = String(d);
    const msg = JSON.parse(text) as { type: string; id?: string; ok?: boolean; result?: unknown; error?: { code: string } };
    if (msg.type === 'response' && msg.id) {
      if (!msg.ok) throw new Error(`request failed: ${msg.error?.code ?? '?'}`);
      waiting.get(msg.id)?.({ text, result: msg.result });
      waiting.delete(msg.id);
      return;
    }
    c.bytes += d.length;
    c.frames++;
  });
  await c.request('hello', mode === 'batched' ? { v: 1, features: ['roster.events'] } : { v: 1 });
  return c;
}

const clients: Client[] = [];
const joinMs: number[] = [];
let lastResult = { bytes: 0, chain: [] as unknown[] };
let firstBefore = { bytes: 0, frames: 0 };
for (let i = 1; i <= N; i++) {
  if (marks.has(i + 9)) await ask({ mark: 'start', at: i + 9 });
  const c = await open();
  const t = performance.now();
  const r = await c.request('join', { meetingId, displayName: `Mourner ${i}`, identityKey: Buffer.alloc(65, i % 256).toString('base64') });
  joinMs.push(performance.now() - t);
  clients.push(c);
  if (i === 1) await sleep(100);
  if (i === 1) firstBefore = { bytes: clients[0]?.bytes ?? 0, frames: clients[0]?.frames ?? 0 };
  if (i === N) lastResult = { bytes: Buffer.byteLength(r.text), chain: (r.result as { chain: unknown[] }).chain };
  if (marks.has(i)) {
    await sleep(100); // the last batch goes out within 50 ms
    await ask({ mark: 'end', at: i });
  }
}
await sleep(200);
const first = clients[0];
const perArrivalBytes = ((first?.bytes ?? 0) - firstBefore.bytes) / (N - 1);
const perArrivalFrames = ((first?.frames ?? 0) - firstBefore.frames) / (N - 1);

// A burst: 32 more people press "join" at the same moment (a meeting's announced start).
const burst = await Promise.all(Array.from({ length: 32 }, () => open()));
const b0 = { bytes: first?.bytes ?? 0, frames: first?.frames ?? 0 };
await Promise.all(burst.map((c, i) => c.request('join', { meetingId, displayName: `Burst ${i}`, identityKey: Buffer.alloc(65, i).toString('base64') })));
await sleep(300);
clients.push(...burst);
process.send?.({
  burstFramesPerArrival: ((first?.frames ?? 0) - b0.frames) / burst.length,
  burstBytesPerArrival: ((first?.bytes ?? 0) - b0.bytes) / burst.length,
  done: true,
  joinMs,
  perArrivalBytes,
  perArrivalFrames,
  lastResultBytes: lastResult.bytes,
  chain: lastResult.chain,
});
for (const c of clients) c.ws.close();
await sleep(200);
process.disconnect();
