/** Test page script: one MediaClient wired to the harness's WebSocket relay. */
import { MediaClient } from '../../web/src/media/media-client.js';

interface Started {
  client: MediaClient;
  remote: Record<string, { participantId: string; kind: string; live: boolean }>;
  /** Every leg state change, for tests: [which, state, ms since start]. */
  legs: [string, string, number][];
}

interface StartOpts {
  id: string;
  publish: boolean;
  simulcast?: boolean;
  video?: { width: number; height: number; frameRate: number };
  /** Camera codec offered first (MediaClient option). */
  preferCodec?: 'h264' | 'vp8';
  /** Answer every subscriber offer without H.264, as a browser that cannot decode it would. */
  refuseH264?: boolean;
}

/** Make this page's answers leave H.264 out (setCodecPreferences on every receiving video transceiver). */
function refuseH264(): void {
  type Srd = (this: RTCPeerConnection, d: RTCSessionDescriptionInit) => Promise<void>;
  const proto = RTCPeerConnection.prototype as unknown as { setRemoteDescription: Srd };
  const apply = proto.setRemoteDescription;
  proto.setRemoteDescription = async function (d) {
    await apply.call(this, d);
    if (d.type !== 'offer') return;
    const codecs = (RTCRtpReceiver.getCapabilities('video')?.codecs ?? []).filter((c) => c.mimeType.toLowerCase() !== 'video/h264');
    for (const t of this.getTransceivers()) if (t.receiver.track.kind === 'video') t.setCodecPreferences(codecs);
  };
}

async function start(opts: StartOpts): Promise<void> {
  if (opts.refuseH264) refuseH264();
  const ws = new WebSocket(`ws://${location.host}/ws?id=${opts.id}`);
  await new Promise((r, j) => {
    ws.onopen = r;
    ws.onerror = j;
  });
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const request = (type: string, payload: Record<string, unknown>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, type, payload }));
    });
  const client = new MediaClient({
    request,
    iceServers: [],
    simulcast: opts.simulcast ?? true,
    ...(opts.preferCodec ? { preferCodec: opts.preferCodec } : {}),
  });
  const state: Started = { client, remote: {}, legs: [] };
  const t0 = performance.now();
  client.onLegState((which, s) => state.legs.push([which, s, Math.round(performance.now() - t0)]));
  (window as unknown as { parley: Started }).parley = state;
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; ok?: boolean; result?: unknown; error?: unknown; event?: string; data?: never };
    if (msg.id !== undefined) {
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.ok) w?.resolve(msg.result);
      else w?.reject(msg.error);
    } else if (msg.event === 'media.offer') void client.handleOffer(msg.data as never);
    else if (msg.event === 'media.candidate') client.handleCandidate(msg.data as never);
    else if (msg.event === 'media.streams') void client.handleStreams(msg.data as never);
    else if (msg.event === 'media.closed') client.handleClosed(msg.data as never);
    else if (msg.event === 'media.layers') void client.handleLayers(msg.data as never);
  };
  client.onRemoteStream((e) => {
    state.remote[`${e.participantId}:${e.kind}`] = { participantId: e.participantId, kind: e.kind, live: e.stream !== null };
    if (!e.stream) return;
    const el = document.createElement(e.kind === 'audio' ? 'audio' : 'video');
    el.autoplay = true;
    el.muted = true;
    el.srcObject = e.stream;
    el.dataset.participant = e.participantId;
    // A re-labelled or replaced stream for the same person replaces their element.
    document.querySelectorAll(`[data-participant="${e.participantId}"][data-kind="${e.kind}"]`).forEach((old) => old.remove());
    el.dataset.kind = e.kind;
    document.body.appendChild(el);
  });
  // Like the web client: ask for media once the session is up (the SFU offers nothing before).
  client.subscribe();
  if (opts.publish) {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: opts.video ?? { width: 1280, height: 720, frameRate: 30 } });
    await client.publish(stream);
  }
}

(window as unknown as { startParley: typeof start }).startParley = start;
