/**
 * Test-only harness for browser media tests: serves a page bundling web/src/media (esbuild)
 * and relays its WebSocket requests straight to a createMediaServer instance.
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { WebSocketServer } from 'ws';
import { createMediaServer, type MediaServerInternals } from '../../server/media/index.js';

export interface Harness {
  url: string;
  media: MediaServerInternals;
  close(): Promise<void>;
}

async function bundle(): Promise<string> {
  const entry = fileURLToPath(new URL('./media-page-entry.ts', import.meta.url));
  const out = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome110' });
  return out.outputFiles[0]?.text ?? '';
}

async function relay(media: MediaServerInternals, pid: string, type: string, p: Record<string, unknown>): Promise<unknown> {
  switch (type) {
    case 'media.publish':
      return { sdp: await media.publish(pid, String(p.sdp)) };
    case 'media.answer':
      await media.answer(pid, String(p.sdp));
      return {};
    case 'media.candidate':
      media.addCandidate(pid, p.pc === 'pub' ? 'pub' : 'sub', String(p.candidate), String(p.mid));
      return {};
    case 'media.layer':
      media.setPreferredLayer(pid, String(p.publisherId), p.layer as 'q' | 'h' | 'f');
      return {};
    default:
      return {};
  }
}

/** Start the harness on a random loopback port. Everyone is in meeting "m" and on the roster. */
export async function startHarness(): Promise<Harness> {
  const js = await bundle();
  const media = createMediaServer({ iceServers: [], receiverGate: () => true });
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/client.js')) {
      res.setHeader('content-type', 'text/javascript');
      res.end(js);
      return;
    }
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><html><body><script src="/client.js"></script></body></html>');
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws, req) => {
    const pid = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? 'anon';
    media.addParticipant('m', pid, { signal: (msg) => ws.send(JSON.stringify(msg)) });
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id: number; type: string; payload: Record<string, unknown> };
      relay(media, pid, msg.type, msg.payload).then(
        (result) => ws.send(JSON.stringify({ id: msg.id, ok: true, result })),
        (err: unknown) => ws.send(JSON.stringify({ id: msg.id, ok: false, error: String(err) })),
      );
    });
    ws.on('close', () => media.removeParticipant(pid));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://localhost:${port}/`,
    media,
    close: async () => {
      media.close();
      wss.close();
      await new Promise((r) => server.close(r));
    },
  };
}
