/**
 * Page script of bench/janus-impairment.ts: a Janus VideoRoom client over Janus' HTTP API
 * (fetch + long poll), written here instead of janus.js. `api` is the bench's same-origin proxy
 * to Janus (which rewrites ICE candidates for the participant behind the relay).
 *
 * A publisher sends audio + VP8 simulcast with Parley's client encodings (rid q/h/f, 1/4, 1/2
 * and full size); a subscriber takes one feed and asks for the top substream. A connection that
 * fails, or stays disconnected past Parley's grace period, is recovered the way a Janus
 * application does it: an ICE restart (a publisher re-offers with iceRestart; a subscriber sends
 * `configure` with `restart: true` and Janus re-offers).
 */
import { DISCONNECTED_GRACE_MS, SIMULCAST_ENCODINGS } from '../web/src/media/media-client.js';

interface JanusMsg {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  error?: { code: number; reason: string };
  plugindata?: { data: Record<string, unknown> };
  jsep?: RTCSessionDescriptionInit;
}

/** What the bench reads from a subscribing page (window.bench). */
interface Viewer {
  /** ICE restarts of all this page's connections so far. */
  iceRestarts(): number;
  /** [ICE connection state, ms since the page started] for each change of the subscriber connection. */
  ice: [string, number][];
  quality(): Promise<{ frames: number; freezeCount: number; totalFreezesDuration: number; nackCount: number; width: number; height: number }>;
  videoBytesIn(): Promise<number>;
}

const t0 = performance.now();
let tx = 0;

async function post(url: string, body: Record<string, unknown>): Promise<JanusMsg> {
  const r = await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, transaction: `t${++tx}` }) });
  const msg = (await r.json()) as JanusMsg;
  if (msg.janus === 'error') throw new Error(`janus ${String(body.janus)}: ${msg.error?.code} ${msg.error?.reason}`);
  return msg;
}

/** One Janus session with one VideoRoom handle; plugin events are handed to `onEvent`. */
async function openHandle(
  api: string,
  onEvent: (m: JanusMsg) => void,
): Promise<{ send(body: Record<string, unknown>, jsep?: RTCSessionDescriptionInit): Promise<void>; trickle(c: RTCIceCandidate | null): void }> {
  const session = (await post(api, { janus: 'create' })).data?.id;
  const handle = (await post(`${api}/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data?.id;
  const base = `${api}/${session}/${handle}`;
  void (async () => {
    for (;;) {
      const r = await fetch(`${api}/${session}?maxev=10&rid=${Date.now()}`).catch(() => null);
      if (!r) {
        await new Promise((res) => setTimeout(res, 500));
        continue;
      }
      const got = (await r.json()) as JanusMsg | JanusMsg[];
      for (const m of Array.isArray(got) ? got : [got]) if (m.janus === 'event' || m.janus === 'webrtcup' || m.janus === 'hangup') onEvent(m);
    }
  })();
  return {
    send: async (body, jsep) => {
      await post(base, { janus: 'message', body, ...(jsep ? { jsep } : {}) });
    },
    trickle: (c) => {
      void post(base, { janus: 'trickle', candidate: c ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } : { completed: true } });
    },
  };
}

/** The next plugin event for which `pick` returns a value. */
function waiter(): { feed(m: JanusMsg): void; next<T>(pick: (m: JanusMsg) => T | undefined, ms?: number): Promise<T> } {
  const pending: { pick: (m: JanusMsg) => unknown; resolve: (v: unknown) => void }[] = [];
  const seen: JanusMsg[] = [];
  return {
    feed(m) {
      for (const p of pending) {
        const v = p.pick(m);
        if (v !== undefined) {
          pending.splice(pending.indexOf(p), 1);
          p.resolve(v);
          return;
        }
      }
      seen.push(m);
    },
    next<T>(pick: (m: JanusMsg) => T | undefined, ms = 20_000): Promise<T> {
      for (const m of seen) {
        const v = pick(m);
        if (v !== undefined) {
          seen.splice(seen.indexOf(m), 1);
          return Promise.resolve(v);
        }
      }
      return new Promise<T>((resolve, reject) => {
        const entry = { pick, resolve: resolve as (v: unknown) => void };
        pending.push(entry);
        setTimeout(() => {
          if (pending.includes(entry)) reject(new Error(`no Janus event in ${ms} ms (seen: ${JSON.stringify(seen).slice(0, 500)})`));
        }, ms);
      });
    },
  };
}

const jsepOf = (m: JanusMsg): RTCSessionDescriptionInit | undefined => m.jsep;

function statsOf(pc: RTCPeerConnection): Pick<Viewer, 'quality' | 'videoBytesIn'> {
  const inbound = async (): Promise<Record<string, number>[]> => {
    const out: Record<string, number>[] = [];
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.push(s as Record<string, number>);
    });
    return out;
  };
  return {
    quality: async () => {
      const q = { frames: 0, freezeCount: 0, totalFreezesDuration: 0, nackCount: 0, width: 0, height: 0 };
      for (const s of await inbound()) {
        q.frames += s.framesDecoded ?? 0;
        q.freezeCount += s.freezeCount ?? 0;
        q.totalFreezesDuration += s.totalFreezesDuration ?? 0;
        q.nackCount += s.nackCount ?? 0;
        q.width = s.frameWidth ?? 0;
        q.height = s.frameHeight ?? 0;
      }
      return q;
    },
    videoBytesIn: async () => (await inbound()).reduce((n, s) => n + (s.bytesReceived ?? 0), 0),
  };
}

/** Janus restarts ICE on request: a publisher re-offers with iceRestart, a subscriber asks Janus to. */
let iceRestarts = 0;

/**
 * Parley's client policy (web/src/media/leg-watch.ts), with an ICE restart as the remedy: a
 * connection that failed, or stayed disconnected past the grace period, is restarted, and again
 * after 1, 2, 4 s until it connects.
 */
function recoverWith(pc: RTCPeerConnection, remedy: () => Promise<void>): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let attempts = 0;
  let restarting = false;
  const later = (ms: number): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (pc.connectionState !== 'connected') void restart();
    }, ms);
  };
  const restart = async (): Promise<void> => {
    if (restarting) return;
    restarting = true;
    iceRestarts++;
    try {
      await remedy();
    } catch (err) {
      console.error('ICE restart failed', err);
    } finally {
      restarting = false;
    }
    later(Math.min(4000, 1000 * 2 ** attempts++));
  };
  pc.onconnectionstatechange = () => {
    const s = pc.connectionState;
    if (s === 'connected') {
      if (timer) clearTimeout(timer);
      timer = null;
      attempts = 0;
    } else if (s === 'failed') void restart();
    else if (s === 'disconnected') later(DISCONNECTED_GRACE_MS);
  };
}

/** Join `room` as a publisher (resolves to the feed id) or subscribe to feed `subscribeTo` (resolves to it). */
async function start(o: {
  api: string;
  room: number;
  id: string;
  publish?: { width: number; height: number; frameRate: number };
  subscribeTo?: number;
}): Promise<number> {
  const w = waiter();
  const h = await openHandle(o.api, (m) => w.feed(m));
  const pc = new RTCPeerConnection({ iceServers: [] });
  const ice: [string, number][] = [];
  pc.onicecandidate = (e) => h.trickle(e.candidate);
  pc.oniceconnectionstatechange = () => ice.push([pc.iceConnectionState, Math.round(performance.now() - t0)]);
  const data = (m: JanusMsg): Record<string, unknown> | undefined => m.plugindata?.data;

  if (o.publish) {
    await h.send({ request: 'join', ptype: 'publisher', room: o.room, display: o.id });
    const joined = await w.next((m) => (data(m)?.videoroom === 'joined' ? data(m) : undefined));
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: o.publish });
    const [mic] = stream.getAudioTracks();
    const [cam] = stream.getVideoTracks();
    if (!mic || !cam) throw new Error('no fake camera/microphone');
    pc.addTransceiver(mic, { direction: 'sendonly', streams: [stream] });
    pc.addTransceiver(cam, { direction: 'sendonly', streams: [stream], sendEncodings: SIMULCAST_ENCODINGS.map((e) => ({ ...e })) });
    const offer = async (opts?: RTCOfferOptions): Promise<void> => {
      await pc.setLocalDescription(await pc.createOffer(opts));
      await h.send({ request: 'configure', audio: true, video: true }, pc.localDescription?.toJSON());
      await pc.setRemoteDescription(await w.next(jsepOf));
    };
    await offer();
    recoverWith(pc, () => offer({ iceRestart: true }));
    return Number(joined.id);
  }

  const feed = o.subscribeTo ?? 0;
  pc.ontrack = (e) => {
    if (e.track.kind !== 'video') return;
    const el = document.createElement('video');
    el.autoplay = true;
    el.muted = true;
    el.srcObject = new MediaStream([e.track]);
    el.dataset.participant = String(feed);
    document.body.appendChild(el);
  };
  (window as unknown as { bench: Viewer }).bench = { ...statsOf(pc), ice, iceRestarts: () => iceRestarts };
  // Janus offers; the answer goes back with `start`, for the first offer and for restarts alike.
  const answer = async (offer: RTCSessionDescriptionInit): Promise<void> => {
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    await h.send({ request: 'start', room: o.room }, pc.localDescription?.toJSON());
  };
  await h.send({ request: 'join', ptype: 'subscriber', room: o.room, streams: [{ feed }] });
  const attached = await w.next((m) => (data(m)?.videoroom === 'attached' && m.jsep ? m : undefined));
  await answer(attached.jsep!);
  const streams = (data(attached)?.streams ?? []) as { type: string; mid: string }[];
  const video = streams.find((s) => s.type === 'video');
  if (video) await h.send({ request: 'configure', streams: [{ mid: video.mid, substream: 2, temporal: 2 }] });
  recoverWith(pc, async () => {
    await h.send({ request: 'configure', restart: true });
    await answer(await w.next(jsepOf));
  });
  return feed;
}

(window as unknown as { startJanus: typeof start }).startJanus = start;
