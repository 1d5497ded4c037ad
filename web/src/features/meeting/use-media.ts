/**
 * One media session per (re)join: publish our tracks, receive everyone else's. The
 * MediaClient (web/src/media/media-client.ts) owns the RTCPeerConnections; this hook owns
 * the local tracks and the React-facing map of remote streams.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Layer } from '../../../../protocol/signaling.js';
import { MediaClient } from '../../media/media-client.js';
import type { SignalingClient } from '../../lib/signaling.js';
import type { RoomLink } from './room-link.js';
import type { RoomState } from './room-state.js';

export type RemoteKind = 'audio' | 'video' | 'screen';
export type RemoteStreams = Record<string, MediaStream>;
export const streamKey = (participantId: string, kind: RemoteKind) => `${participantId}:${kind}`;

export interface LocalMedia {
  stream: MediaStream;
  micOn: boolean;
  camOn: boolean;
}

export interface MediaControls {
  remote: RemoteStreams;
  local: MediaStream;
  micOn: boolean;
  camOn: boolean;
  screen: MediaStream | null;
  error: 'media' | 'share' | null;
  /** Which legs are being recovered right now: `sub` = others' tiles, `pub` = what we send. */
  reconnecting: { pub: boolean; sub: boolean };
  setMic(on: boolean): Promise<void>;
  setCamera(on: boolean): Promise<void>;
  toggleScreen(): Promise<void>;
  setLayer(publisherId: string, layer: Layer): void;
  /** The participants whose tiles are on screen (the SFU sends video for those and the speakers). */
  setView(publisherIds: string[]): void;
  stopAll(): void;
}

/** One running media session and what it was made for (the effect's inputs). */
interface Session {
  mc: MediaClient;
  offs: (() => void)[];
  made: readonly unknown[];
  closing: boolean;
}

export function useMedia(client: SignalingClient, room: RoomState, initial: LocalMedia, link: RoomLink): MediaControls {
  const [remote, setRemote] = useState<RemoteStreams>({});
  const [micOn, setMicOn] = useState(initial.micOn);
  const [camOn, setCamOn] = useState(initial.camOn);
  const [screen, setScreen] = useState<MediaStream | null>(null);
  const [error, setError] = useState<'media' | 'share' | null>(null);
  const [reconnecting, setReconnecting] = useState({ pub: false, sub: false });
  const localRef = useRef(initial.stream);
  const mcRef = useRef<MediaClient | null>(null);
  const sessionRef = useRef<Session | null>(null);
  const layers = useRef(new Map<string, Layer>());
  /** The tiles on screen, re-sent to each new media session. */
  const viewRef = useRef<{ key: string; ids: string[] }>({ key: '', ids: [] });
  const stateRef = useRef({ micOn: initial.micOn, camOn: initial.camOn, screen: false });
  const active = room.phase === 'joined' && room.connection !== 'closed';
  /** An event's attendee only receives: nothing is published until a host makes them a panelist. */
  const canPublish = room.role !== 'attendee';
  const canPublishRef = useRef(canPublish);
  canPublishRef.current = canPublish;
  const publishedRef = useRef(false);

  const sendState = useCallback(() => {
    const { micOn: audio, camOn: video, screen: sharing } = stateRef.current;
    client.request('media.state', { audio, video, screen: sharing }).catch(() => undefined);
  }, [client]);

  const teardown = useCallback((s: Session) => {
    s.closing = false;
    for (const off of s.offs) off();
    s.mc.close();
    if (mcRef.current === s.mc) mcRef.current = null;
    if (sessionRef.current === s) sessionRef.current = null;
    setRemote({});
    setReconnecting({ pub: false, sub: false });
  }, []);

  // A session is closed one microtask after its effect is cleaned up, unless the same effect
  // runs again at once: React StrictMode (development) unmounts and remounts every component,
  // and a second MediaClient would find the SFU's first offer already taken by the first one.
  const release = useCallback(
    (s: Session) => {
      s.closing = true;
      queueMicrotask(() => {
        if (s.closing) teardown(s);
      });
    },
    [teardown],
  );

  // A new session on every (re)join: the server's transports from before are gone.
  useEffect(() => {
    if (!active) return;
    const made = [room.session, client, room.iceServers, link];
    const prev = sessionRef.current;
    if (prev?.closing && prev.made.every((v, i) => v === made[i])) {
      prev.closing = false;
      mcRef.current = prev.mc;
      return () => release(prev);
    }
    if (prev) teardown(prev);
    // The session for this join/admission already exists (RoomLink made it in the same tick).
    // Its transform encrypts/decrypts only when the meeting is E2EE (the session makes no
    // worker otherwise); in every meeting it checks each stream's sender against the chain.
    const security = link.session;
    const mc = new MediaClient({
      request: (type: string, payload: unknown) => client.request(type as 'media.publish', payload as { sdp: string }),
      iceServers: room.iceServers,
      simulcast: true,
      ...(security ? { transform: security.transform } : {}),
    });
    mcRef.current = mc;
    layers.current.clear();
    // This session takes media (a signaling-only client never asks, and is offered nothing).
    mc.subscribe(viewRef.current.ids.length > 0 ? viewRef.current.ids : undefined);
    const offs = [
      // Before any await: offers that arrived since the (re)join were buffered by the link.
      link.attachMedia({
        offer: (d) => void Promise.resolve(mc.handleOffer(d)).catch(() => setError('media')),
        candidate: (d) => {
          try {
            mc.handleCandidate(d);
          } catch {
            // a late candidate for a closed connection
          }
        },
        closed: (d) => mc.handleClosed(d),
        streams: (d) => void mc.handleStreams(d),
        layers: (d) => void mc.handleLayers(d),
      }),
      mc.onLegState((which, state) =>
        setReconnecting((prev) => (prev[which] === (state === 'reconnecting') ? prev : { ...prev, [which]: state === 'reconnecting' })),
      ),
      mc.onRemoteStream(({ participantId, kind, stream }) => {
        setRemote((prev) => {
          const next = { ...prev };
          const key = streamKey(participantId, kind);
          if (stream) next[key] = stream;
          // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a record keyed by stream, copied per update
          else delete next[key];
          return next;
        });
      }),
    ];
    publishedRef.current = false;
    if (canPublishRef.current) {
      publishedRef.current = true;
      const local = localRef.current;
      const published = new MediaStream(local.getTracks().filter((t) => (t.kind === 'audio' ? stateRef.current.micOn : stateRef.current.camOn)));
      Promise.resolve(mc.publish(published))
        .then(() => {
          setError(null);
          sendState();
        })
        .catch(() => setError('media'));
    }
    const session: Session = { mc, offs, made, closing: false };
    sessionRef.current = session;
    return () => release(session);
  }, [active, room.session, client, room.iceServers, sendState, link, release, teardown]);

  const setMic = useCallback(
    async (on: boolean) => {
      const local = localRef.current;
      let track = local.getAudioTracks()[0];
      if (on && !track) {
        try {
          track = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0];
          if (track) local.addTrack(track);
        } catch {
          return;
        }
      }
      if (track) track.enabled = on;
      stateRef.current.micOn = on;
      setMicOn(on);
      await Promise.resolve(mcRef.current?.setMicTrack(on && track ? track : null)).catch(() => undefined);
      sendState();
    },
    [sendState],
  );

  const setCamera = useCallback(
    async (on: boolean) => {
      const local = localRef.current;
      if (on) {
        let track: MediaStreamTrack | undefined;
        try {
          track = (await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } })).getVideoTracks()[0];
        } catch {
          return;
        }
        if (!track) return;
        for (const old of local.getVideoTracks()) {
          old.stop();
          local.removeTrack(old);
        }
        local.addTrack(track);
        await Promise.resolve(mcRef.current?.setCameraTrack(track)).catch(() => undefined);
      } else {
        await Promise.resolve(mcRef.current?.setCameraTrack(null)).catch(() => undefined);
        // Stop the track so the camera light goes off, not just the picture.
        for (const old of local.getVideoTracks()) {
          old.stop();
          local.removeTrack(old);
        }
      }
      stateRef.current.camOn = on;
      setCamOn(on);
      sendState();
    },
    [sendState],
  );

  const stopScreen = useCallback(async () => {
    setScreen((s) => {
      for (const t of s?.getTracks() ?? []) t.stop();
      return null;
    });
    stateRef.current.screen = false;
    await Promise.resolve(mcRef.current?.stopScreenShare()).catch(() => undefined);
    sendState();
  }, [sendState]);

  const toggleScreen = useCallback(async () => {
    if (stateRef.current.screen) return stopScreen();
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch {
      return; // The person cancelled the picker.
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    track.addEventListener('ended', () => void stopScreen());
    try {
      await Promise.resolve(mcRef.current?.startScreenShare(track));
    } catch {
      track.stop();
      setError('share');
      return;
    }
    stateRef.current.screen = true;
    setScreen(stream);
    sendState();
  }, [sendState, stopScreen]);

  const setLayer = useCallback((publisherId: string, layer: Layer) => {
    if (layers.current.get(publisherId) === layer) return;
    layers.current.set(publisherId, layer);
    void Promise.resolve(mcRef.current?.setPreferredLayer(publisherId, layer)).catch(() => undefined);
  }, []);

  const setView = useCallback((publisherIds: string[]) => {
    const key = publisherIds.join(',');
    if (viewRef.current.key === key) return;
    viewRef.current = { key, ids: publisherIds };
    mcRef.current?.setView(publisherIds);
  }, []);

  const stopAll = useCallback(() => {
    if (sessionRef.current) teardown(sessionRef.current); // closes its MediaClient and clears mcRef
    for (const t of localRef.current.getTracks()) t.stop();
    setScreen((s) => {
      for (const t of s?.getTracks() ?? []) t.stop();
      return null;
    });
  }, [teardown]);

  // Promoted to panelist: publish (mic and camera off; the person turns them on). Demoted back
  // to attendee: everything we send stops, and the server refuses any new publish.
  useEffect(() => {
    const mc = mcRef.current;
    if (!active || !mc) return;
    if (canPublish && !publishedRef.current) {
      publishedRef.current = true;
      Promise.resolve(mc.publish(new MediaStream()))
        .then(() => setError(null))
        .catch(() => setError('media'));
    } else if (!canPublish && publishedRef.current) {
      for (const t of localRef.current.getTracks()) {
        t.stop();
        localRef.current.removeTrack(t);
      }
      void Promise.resolve(mc.setMicTrack(null)).catch(() => undefined);
      void Promise.resolve(mc.setCameraTrack(null)).catch(() => undefined);
      if (stateRef.current.screen) void stopScreen();
      stateRef.current = { micOn: false, camOn: false, screen: false };
      setMicOn(false);
      setCamOn(false);
    }
  }, [active, canPublish, room.session, stopScreen]);

  // Host mute: the server already stopped forwarding; turn the mic off here too.
  useEffect(() => client.on('you.muted', () => void setMic(false)), [client, setMic]);

  return { remote, local: localRef.current, micOn, camOn, screen, error, reconnecting, setMic, setCamera, toggleScreen, setLayer, setView, stopAll };
}
