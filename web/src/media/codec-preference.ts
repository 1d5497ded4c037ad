/**
 * Which video codec the camera offers first. The SFU takes H.264 (constrained baseline,
 * packetization-mode 1) only when it is first on the m-line, and VP8 otherwise (docs/media.md).
 * H.264 pays off where the browser encodes it in hardware (phones): less battery and heat
 * than VP8 in software. Elsewhere the browser's default order (VP8 first) stays.
 */

export type CodecPreference = 'h264' | 'vp8';

/** The one H.264 format the SFU forwards (server/media/sdp.ts SFU_H264_FMTP). */
const H264_CONTENT_TYPE = 'video/H264;level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';

const isForwardedH264 = (c: RTCRtpCodec): boolean =>
  c.mimeType.toLowerCase() === 'video/h264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? '') && /profile-level-id=42e01f/i.test(c.sdpFmtpLine ?? '');

/** Whether this browser encodes 720p30 H.264 in hardware (Media Capabilities `powerEfficient`). */
export async function h264InHardware(): Promise<boolean> {
  try {
    const info = await navigator.mediaCapabilities.encodingInfo({
      type: 'webrtc',
      video: { contentType: H264_CONTENT_TYPE, width: 1280, height: 720, bitrate: 1_500_000, framerate: 30 },
    });
    return info.supported && info.powerEfficient;
  } catch {
    return false;
  }
}

/**
 * Put H.264 first on the camera transceiver when `prefer` says so (a test, or a setting), or when
 * it is undefined and the browser encodes H.264 in hardware. Returns the codec put first.
 */
export async function orderCameraCodecs(t: RTCRtpTransceiver, prefer: CodecPreference | undefined): Promise<CodecPreference> {
  const want = prefer ?? ((await h264InHardware()) ? 'h264' : 'vp8');
  if (want !== 'h264' || typeof t.setCodecPreferences !== 'function') return 'vp8';
  const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
  const first = codecs.filter(isForwardedH264);
  if (first.length === 0) return 'vp8';
  t.setCodecPreferences([...first, ...codecs.filter((c) => !first.includes(c))]);
  return 'h264';
}
