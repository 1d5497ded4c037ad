/** Camera and microphone for the lobby preview; the same stream goes into the room. */
import { useCallback, useEffect, useRef, useState } from 'react';

export type PreviewProblem = 'denied' | 'none' | null;

/** `ask: false` (an event: attendees only receive): no camera or microphone is requested. */
export function usePreview(ask = true) {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [micOn, setMicOn] = useState(ask);
  const [camOn, setCamOn] = useState(ask);
  const [problem, setProblem] = useState<PreviewProblem>(null);
  const handedOver = useRef(false);
  const streamRef = useRef<MediaStream | null>(null);
  /** Settles when the first camera/mic request has succeeded or failed. */
  const settled = useRef<Promise<void>>(Promise.resolve());

  useEffect(() => {
    if (!ask) return;
    let cancelled = false;
    const md = navigator.mediaDevices as MediaDevices | undefined;
    if (!md?.getUserMedia) {
      setProblem('none');
      setMicOn(false);
      setCamOn(false);
      return;
    }
    const acquire = async (): Promise<MediaStream> => {
      try {
        return await md.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
      } catch (err) {
        if ((err as DOMException).name === 'NotAllowedError') throw err;
        // One device missing: try each alone.
        const tracks: MediaStreamTrack[] = [];
        for (const c of [{ audio: true }, { video: true }]) {
          try {
            tracks.push(...(await md.getUserMedia(c)).getTracks());
          } catch {
            // that one is not there
          }
        }
        if (tracks.length === 0) throw err;
        return new MediaStream(tracks);
      }
    };
    settled.current = acquire()
      .then((s) => {
        if (cancelled) {
          for (const t of s.getTracks()) t.stop();
          return;
        }
        streamRef.current = s;
        setStream(s);
        setMicOn(s.getAudioTracks().length > 0);
        setCamOn(s.getVideoTracks().length > 0);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setProblem((err as DOMException).name === 'NotAllowedError' ? 'denied' : 'none');
        setMicOn(false);
        setCamOn(false);
      });
    return () => {
      cancelled = true;
      if (!handedOver.current) for (const t of streamRef.current?.getTracks() ?? []) t.stop();
    };
  }, [ask]);

  const toggleMic = useCallback(() => {
    const track = streamRef.current?.getAudioTracks()[0];
    if (!track) return;
    track.enabled = !track.enabled;
    setMicOn(track.enabled);
  }, []);
  const toggleCam = useCallback(() => {
    const track = streamRef.current?.getVideoTracks()[0];
    if (!track) return;
    track.enabled = !track.enabled;
    setCamOn(track.enabled);
  }, []);

  /**
   * Give the stream to the room; tracks that are off are stopped (camera light goes out).
   * Waits (a few seconds at most) for a camera/mic request still in flight, so a quick
   * click on Join does not enter the meeting without media.
   */
  const handOver = useCallback(async (): Promise<{ stream: MediaStream; micOn: boolean; camOn: boolean }> => {
    await Promise.race([settled.current, new Promise((r) => setTimeout(r, 5000))]);
    handedOver.current = true;
    const s = streamRef.current ?? new MediaStream();
    const audio = s.getAudioTracks()[0];
    const video = s.getVideoTracks()[0];
    const mic = audio?.enabled ?? false;
    const cam = video?.enabled ?? false;
    if (video && !cam) {
      video.stop();
      s.removeTrack(video);
    }
    if (audio) audio.enabled = mic;
    return { stream: s, micOn: mic, camOn: cam };
  }, []);

  const release = useCallback(() => {
    handedOver.current = false;
  }, []);

  return { stream, micOn, camOn, problem, toggleMic, toggleCam, handOver, release };
}
