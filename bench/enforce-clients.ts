/**
 * Client side of bench/enforce.ts, in its own process (10,000 sockets per side would pass
 * one process's open-file limit). Connects and joins, reports CN participant ids, then
 * reports when each `you.removed` arrived (absolute ms: timeOrigin + now).
 */
import WebSocket from 'ws';

interface Start {
  wsUrl: string;
  meetings: string[];
  from: number;
  to: number;
  batch: number;
}
const now = () => performance.timeOrigin + performance.now();
const sockets: WebSocket[] = [];
const removedAt: number[] = [];
const cnIds: string[] = [];

async function connect(s: Start, i: number): Promise<void> {
  const inCn = i % 10 === 0;
  const localAddress = inCn ? `127.0.${1 + (i % 2)}.${1 + (i % 250)}` : `127.0.${10 + (i % 200)}.${1 + (i % 250)}`;
  const ws = new WebSocket(s.wsUrl, { localAddress });
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'hello', id: 'h', v: 1 }));
      ws.send(JSON.stringify({ type: 'join', id: 'j', meetingId: s.meetings[i % s.meetings.length], displayName: `p${i}` }));
    });
    ws.on('message', (raw) => {
      const text = String(raw);
      if (text.includes('"you.removed"')) {
        removedAt.push(now());
        return;
      }
      const msg = JSON.parse(text) as { type: string; id?: string; ok?: boolean; result?: { participantId: string } };
      if (msg.type === 'response' && msg.id === 'j') {
        if (!msg.ok) {
          reject(new Error(`join failed: ${text}`));
          return;
        }
        if (inCn) cnIds.push(msg.result!.participantId);
        resolve();
      }
    });
    ws.once('error', reject);
  });
}

process.on('message', (m: { cmd: string } & Partial<Start>) => {
  void (async () => {
    if (m.cmd === 'start') {
      const s = m as Start;
      for (let i = s.from; i < s.to; i += s.batch) {
        await Promise.all(Array.from({ length: Math.min(s.batch, s.to - i) }, (_, k) => connect(s, i + k)));
      }
      process.send!({ cmd: 'ready', cnIds });
    } else if (m.cmd === 'collect') {
      process.send!({ cmd: 'times', removedAt });
    } else if (m.cmd === 'stop') {
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  })().catch((err: unknown) => {
    process.send!({ cmd: 'error', message: String(err) });
  });
});
