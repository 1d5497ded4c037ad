/**
 * Test glue: a Node WebRTC client (@roamhq/wrtc, real libwebrtc encoder/decoder) standing in
 * for a browser. It talks to the media plane through a MediaTransport: directly to
 * createMediaServer (`joinPeer`, in-process tests) or over the signaling protocol
 * (`test/cluster/wrtc-signaling.ts`, node processes).
 */
import wrtc from '@roamhq/wrtc';
import type { MediaServer, MediaSignal } from '../../server/media/index.js';

type Pc = RTCPeerConnection;
const { RTCPeerConnection: PC, nonstandard } = wrtc as unknown as {
  RTCPeerConnection: new (cfg?: RTCConfiguration) => Pc;
  nonstandard: {
    RTCVideoSource: new () => { createTrack(): MediaStreamTrack; onFrame(f: { width: number; height: number; data: Uint8ClampedArray }): void };
    RTCAudioSource: new () => { createTrack(): MediaStreamTrack; onData(d: Record<string, unknown>): void };
  };
};

export interface TestPeer {
  id: string;
  sub: Pc | null;
  pub: Pc | null;
  /** Total inbound RTP packets (all kinds) and decoded video frames on the subscriber PC. */
  received(): Promise<{ packets: number; frames: number; audio: number; video: number }>;
  publish(opts?: { width?: number; height?: number; fps?: number; silent?: boolean }): Promise<void>;
  close(): void;
}

/** How a peer reaches the media plane: the publish/answer/candidate requests and the server's signals. */
export interface MediaTransport {
  publish(sdp: string): Promise<string>;
  answer(sdp: string): Promise<void>;
  candidate(pc: 'pub' | 'sub', candidate: string, mid: string): void;
  /** Start delivering the server's media.offer / media.candidate signals to `signal`. */
  listen(signal: (msg: MediaSignal) => void): void;
  /** Ask for media (`media.subscribe`): the SFU offers the subscriber connection only after this. */
  subscribe(): Promise<void>;
}

/** Register a participant with an in-process media server and answer its subscriber offers automatically. */
export function joinPeer(server: MediaServer, meetingId: string, id: string): TestPeer {
  return peerOver(id, {
    publish: (sdp) => server.publish(id, sdp),
    answer: (sdp) => server.answer(id, sdp),
    candidate: (pc, candidate, mid) => server.addCandidate(id, pc, candidate, mid),
    listen: (signal) => server.addParticipant(meetingId, id, { signal }),
    subscribe: () => {
      server.subscribe(id);
      return Promise.resolve();
    },
  });
}

/** A WebRTC peer over any transport; it asks for media and answers subscriber offers automatically. */
export function peerOver(id: string, transport: MediaTransport): TestPeer {
  const pending: { pc: 'pub' | 'sub'; candidate: string; mid: string }[] = [];
  const timers: NodeJS.Timeout[] = [];
  const peer: TestPeer = {
    id,
    sub: null,
    pub: null,
    async received() {
      const out = { packets: 0, frames: 0, audio: 0, video: 0 };
      if (!peer.sub) return out;
      const report = await peer.sub.getStats();
      report.forEach((s: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        out.packets += s.packetsReceived ?? 0;
        out.frames += s.framesDecoded ?? 0;
        if (s.kind === 'audio') out.audio += s.packetsReceived ?? 0;
        else out.video += s.packetsReceived ?? 0;
      });
      return out;
    },
    async publish(opts = {}) {
      const pc = new PC();
      peer.pub = pc;
      const width = opts.width ?? 320;
      const height = opts.height ?? 240;
      const video = new nonstandard.RTCVideoSource();
      const audio = new nonstandard.RTCAudioSource();
      pc.addTransceiver(audio.createTrack(), { direction: 'sendonly' });
      pc.addTransceiver(video.createTrack(), { direction: 'sendonly' });
      const frame = new Uint8ClampedArray(width * height * 1.5);
      let n = 0;
      timers.push(
        setInterval(
          () => {
            for (let i = 0; i < width * height; i += 7) frame[i] = (i * 31 + n * 17) & 0xff;
            n++;
            video.onFrame({ width, height, data: frame });
          },
          1000 / (opts.fps ?? 15),
        ),
      );
      const samples = new Int16Array(480);
      timers.push(
        setInterval(() => {
          for (let i = 0; i < samples.length; i++) samples[i] = opts.silent === true ? 0 : Math.round(Math.sin((n * 480 + i) / 8) * 8000);
          audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
        }, 10),
      );
      pc.onicecandidate = (e) => {
        if (e.candidate) transport.candidate('pub', e.candidate.candidate, e.candidate.sdpMid ?? '0');
      };
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const answer = await transport.publish(offer.sdp ?? '');
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      flush('pub');
    },
    close() {
      timers.forEach(clearInterval);
      peer.pub?.close();
      peer.sub?.close();
    },
  };
  const flush = (which: 'pub' | 'sub'): void => {
    const pc = which === 'pub' ? peer.pub : peer.sub;
    if (!pc?.remoteDescription) return;
    for (const c of pending.filter((x) => x.pc === which)) void pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.mid }).catch(() => undefined);
    for (let i = pending.length - 1; i >= 0; i--) if (pending[i]?.pc === which) pending.splice(i, 1);
  };
  let chain = Promise.resolve();
  let generation = 0;
  const onOffer = async (sdp: string, gen: number): Promise<void> => {
    // A new generation is a new connection on the SFU's side: answer it on a new one.
    if (peer.sub && gen !== generation) {
      peer.sub.close();
      peer.sub = null;
    }
    generation = gen;
    if (!peer.sub) {
      const pc = new PC();
      peer.sub = pc;
      pc.onicecandidate = (e) => {
        if (e.candidate) transport.candidate('sub', e.candidate.candidate, e.candidate.sdpMid ?? '');
      };
    }
    const pc = peer.sub;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    await transport.answer(answer.sdp ?? '');
    flush('sub');
  };
  const signal = (msg: MediaSignal): void => {
    if (msg.event === 'media.offer') {
      chain = chain.then(() => onOffer(msg.data.sdp, msg.data.generation)).catch(() => undefined);
    } else if (msg.event === 'media.candidate') {
      pending.push(msg.data);
      chain = chain.then(() => flush(msg.data.pc));
    }
  };
  transport.listen(signal);
  transport.subscribe().catch(() => undefined);
  return peer;
}

/** Poll until `check` is true or the deadline passes. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}
