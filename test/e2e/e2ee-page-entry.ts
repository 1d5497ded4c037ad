/**
 * Test page for the E2EE browser tests and benchmarks: the real MediaClient and the real
 * security module (web/src/security) over a minimal signaling client. Bundled by esbuild and
 * served by the in-process test server under /__e2ee/.
 */
import { MediaClient } from '../../web/src/media/media-client.js';
import { SecuritySession } from '../../web/src/security/e2ee-session.js';
import { loadOrCreateIdentity } from '../../web/src/security/identity.js';
import type { JoinResult } from '../../protocol/signaling.js';

type Cb = (d: never) => void;
class Sig {
  #n = 0;
  readonly #pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #handlers = new Map<string, Set<Cb>>();
  readonly events: { event: string; data: unknown }[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as {
        type: string;
        id?: string;
        ok?: boolean;
        result?: unknown;
        error?: { code: string };
        event?: string;
        data?: unknown;
      };
      if (msg.type === 'response' && msg.id) {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.ok) p?.resolve(msg.result);
        else p?.reject(new Error(msg.error?.code ?? 'error'));
      } else if (msg.event) {
        this.events.push({ event: msg.event, data: msg.data });
        for (const h of this.#handlers.get(msg.event) ?? []) h(msg.data as never);
      }
    };
  }
  static open(url: string): Promise<Sig> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(new Sig(ws));
      ws.onerror = () => reject(new Error('ws failed'));
    });
  }
  request(type: string, payload: object): Promise<unknown> {
    const id = `p${++this.#n}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ type, id, ...payload }));
    });
  }
  on(event: string, cb: Cb): () => void {
    const set = this.#handlers.get(event) ?? new Set<Cb>();
    set.add(cb);
    this.#handlers.set(event, set);
    return () => set.delete(cb);
  }
}

interface Running {
  sig: Sig;
  join: JoinResult;
  session: SecuritySession;
  mc: MediaClient;
}
let run: Running | null = null;

async function start(o: {
  meetingId: string;
  name: string;
  encrypt: boolean;
  simulcast?: boolean;
  video?: { width: number; height: number; frameRate: number };
}): Promise<string> {
  const t0 = performance.now();
  const sig = await Sig.open(`ws://${location.host}/ws`);
  await sig.request('hello', { v: 1 });
  const identity = await loadOrCreateIdentity();
  const join = (await sig.request('join', { meetingId: o.meetingId, displayName: o.name, identityKey: identity.publicKey })) as JoinResult;
  const session = new SecuritySession({
    signaling: sig,
    join,
    identity,
    e2ee: o.encrypt,
    createWorker: () => new Worker('/__e2ee/worker.js', { name: 'parley-e2ee' }),
    exposeKeysForTest: true,
  });
  const mc = new MediaClient({
    request: (type, payload) => sig.request(type, payload),
    iceServers: [],
    simulcast: o.simulcast ?? true,
    transform: session.transform,
  });
  // Subscribe before any await: the SFU offers existing streams right after the join.
  sig.on('media.offer', (d) => void mc.handleOffer(d));
  sig.on('media.candidate', (d) => mc.handleCandidate(d));
  sig.on('media.streams', (d) => void mc.handleStreams(d));
  sig.on('media.layers', (d) => void mc.handleLayers(d));
  sig.on('media.closed', (d) => mc.handleClosed(d));
  mc.subscribe();
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: o.video ?? { width: 640, height: 360, frameRate: 30 } });
  await mc.publish(stream);
  run = { sig, join, session, mc };
  (window as unknown as { joinMs: number }).joinMs = performance.now() - t0;
  return join.participantId;
}

async function stats() {
  if (!run) return null;
  const { subscriber, publisher } = await run.mc.getStats();
  const inbound: { kind: string; framesDecoded: number; packets: number; bytes: number }[] = [];
  subscriber?.forEach((s: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number; bytesReceived?: number }) => {
    if (s.type === 'inbound-rtp')
      inbound.push({ kind: s.kind ?? '', framesDecoded: s.framesDecoded ?? 0, packets: s.packetsReceived ?? 0, bytes: s.bytesReceived ?? 0 });
  });
  let framesEncoded = 0;
  publisher?.forEach((s: { type: string; framesEncoded?: number }) => {
    if (s.type === 'outbound-rtp') framesEncoded += s.framesEncoded ?? 0;
  });
  const st = run.session.state();
  return {
    inbound,
    framesEncoded,
    worker: await run.session.workerStats(),
    code: st.code,
    verified: st.verified,
    encryption: st.encryption,
    keyId: st.keyId,
    members: [...st.members.keys()],
    warnings: st.warnings.map((w) => w.kind),
  };
}

const api = {
  start,
  stats,
  keys: () => run?.session.keys?.testKeys() ?? null,
  request: (type: string, payload: object) => run?.sig.request(type, payload),
  events: () => run?.sig.events.map((e) => e.event) ?? [],
  panelText: () => document.body.innerText,
  /** Seal `text` with this page's key and send it (what the meeting room does in an E2EE meeting). */
  chatSend: async (text: string) => {
    if (!run) throw new Error('not started');
    return run.sig.request('chat.send', { sealed: await run.session.sealChat(text) });
  },
  /** Every chat message received, opened with the sender's key (null: could not be opened). */
  chatRead: async () => {
    const r = run;
    if (!r) return [];
    const msgs = r.sig.events.filter((e) => e.event === 'chat.message').map((e) => e.data as { from: string; sealed?: string; text?: string });
    return Promise.all(
      msgs.map(async (m) => ({ from: m.from, sealed: m.sealed ?? null, text: m.sealed ? await r.session.openChat(m.from, m.sealed) : (m.text ?? null) })),
    );
  },
};
(window as unknown as { parley: typeof api }).parley = api;
