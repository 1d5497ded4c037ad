/**
 * Test-only harness for browser media tests: serves a page bundling web/src/media (esbuild)
 * and relays its WebSocket requests straight to a createMediaServer instance.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { WebSocketServer } from 'ws';
import { createMediaServer, type MediaServerInternals } from '../../server/media/index.js';
import { blackholeCandidate, rewriteCandidates, startUdpRelay, type UdpRelay } from '../net/udp-relay.js';

export interface Harness {
  url: string;
  media: MediaServerInternals;
  /** The user-space network in front of `relayFor`'s media (when asked for). */
  relay: UdpRelay | null;
  /** Lose this participant's next `media.answer` on its way to the SFU. */
  dropNextAnswer(pid: string): void;
  close(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function bundle(): Promise<string> {
  const entry = fileURLToPath(new URL('./media-page-entry.ts', import.meta.url));
  const out = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome110' });
  return out.outputFiles[0]?.text ?? '';
}

interface Route {
  /** Rewrites for a participant behind the relay: SFU candidates → relay, own candidates → nowhere. */
  toClient(text: string): string;
  toSfu(candidate: string): string;
  dropAnswer: boolean;
}

async function relay(media: MediaServerInternals, pid: string, type: string, p: Record<string, unknown>, route: Route): Promise<unknown> {
  switch (type) {
    case 'media.publish':
      return { sdp: route.toClient(await media.publish(pid, String(p.sdp))) };
    case 'media.answer':
      if (route.dropAnswer) {
        route.dropAnswer = false;
        return {};
      }
      await media.answer(pid, String(p.sdp));
      return {};
    case 'media.candidate':
      media.addCandidate(pid, p.pc === 'pub' ? 'pub' : 'sub', route.toSfu(String(p.candidate)), String(p.mid));
      return {};
    case 'media.ice-restart':
      if (p.pc !== 'pub') media.restartSubscriber(pid);
      return {};
    case 'media.subscribe':
      media.subscribe(pid, p.publisherIds as string[] | undefined);
      return {};
    case 'media.view':
      media.setView(pid, (p.publisherIds as string[] | undefined) ?? []);
      return {};
    case 'media.layer':
      media.setPreferredLayer(pid, String(p.publisherId), p.layer as 'q' | 'h' | 'f');
      return {};
    default:
      return {};
  }
}

/**
 * Start the harness on a random loopback port. Everyone is in meeting "m" and on the roster.
 * With `relayFor`, the SFU uses one UDP port and that participant's media goes through a
 * user-space relay (test/net/udp-relay.ts) the test can impair.
 */
export async function startHarness(opts: { relayFor?: string; dynacast?: boolean } = {}): Promise<Harness> {
  const js = await bundle();
  const udpMuxPort = opts.relayFor !== undefined ? await freeUdpPort() : undefined;
  const media = createMediaServer({
    iceServers: [],
    receiverGate: () => true,
    ...(udpMuxPort !== undefined ? { udpMuxPort } : {}),
    ...(opts.dynacast !== undefined ? { dynacast: opts.dynacast } : {}),
  });
  const udp = udpMuxPort !== undefined ? await startUdpRelay(udpMuxPort) : null;
  const routes = new Map<string, Route>();
  const routeFor = (pid: string): Route => {
    let r = routes.get(pid);
    if (!r) {
      const behind = udp !== null && pid === opts.relayFor;
      r = {
        toClient: behind ? (t) => rewriteCandidates(t, udp.port) : (t) => t,
        toSfu: behind ? blackholeCandidate : (c) => c,
        dropAnswer: false,
      };
      routes.set(pid, r);
    }
    return r;
  };
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
    const route = routeFor(pid);
    media.addParticipant('m', pid, {
      signal: (msg) => {
        if (msg.event === 'media.offer') ws.send(JSON.stringify({ ...msg, data: { ...msg.data, sdp: route.toClient(msg.data.sdp) } }));
        else if (msg.event === 'media.candidate') ws.send(JSON.stringify({ ...msg, data: { ...msg.data, candidate: route.toClient(msg.data.candidate) } }));
        else ws.send(JSON.stringify(msg));
      },
    });
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id: number; type: string; payload: Record<string, unknown> };
      relay(media, pid, msg.type, msg.payload, route).then(
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
    relay: udp,
    dropNextAnswer: (pid) => {
      routeFor(pid).dropAnswer = true;
    },
    close: async () => {
      udp?.close();
      media.close();
      wss.close();
      await new Promise((r) => server.close(r));
    },
  };
}
