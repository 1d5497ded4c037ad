/**
 * A real WebRTC peer (@roamhq/wrtc) that reaches a node's media plane the way the browser
 * does: media.subscribe / media.publish / media.answer / media.candidate requests on its
 * signaling socket, and the node's media.offer / media.candidate events.
 */
import type { MediaSignal } from '../../server/media/index.js';
import type { WsClient } from '../helpers/app.js';
import { peerOver, type MediaTransport, type TestPeer } from '../integration/media-wrtc-peer.js';

export function signalingTransport(client: WsClient): MediaTransport {
  return {
    publish: async (sdp) => (await client.request<{ sdp: string }>('media.publish', { sdp })).sdp,
    answer: async (sdp) => {
      await client.request('media.answer', { sdp });
    },
    candidate: (pc, candidate, mid) => void client.send('media.candidate', { pc, candidate, mid }).catch(() => undefined),
    listen: (signal) =>
      client.onEvent((e) => {
        if (e.event === 'media.offer' || e.event === 'media.candidate') signal({ event: e.event, data: e.data } as MediaSignal);
      }),
    subscribe: async () => {
      await client.request('media.subscribe', {});
    },
  };
}

/** A WebRTC peer for participant `participantId`, signalling over `client`. */
export function signalingPeer(client: WsClient, participantId: string): TestPeer {
  return peerOver(participantId, signalingTransport(client));
}
