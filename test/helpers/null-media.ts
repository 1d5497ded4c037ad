/**
 * A media plane that forwards nothing, for signaling-only tests (where media is not the
 * thing under test). It still enforces the receiver gate, and records calls for assertions.
 */
import { AppError } from '../../protocol/errors.js';
import type { MediaConfig, MediaServer } from '../../server/media/types.js';

export function createNullMedia(config: MediaConfig): MediaServer & { calls: string[]; members: Set<string> } {
  const calls: string[] = [];
  const members = new Set<string>();
  return {
    calls,
    members,
    addParticipant(meetingId, participantId) {
      if (!config.receiverGate(meetingId, participantId)) throw new AppError('NOT_IN_ROSTER');
      calls.push(`add:${participantId}`);
      members.add(participantId);
    },
    publish: () => Promise.resolve('v=0\r\n'),
    answer: () => Promise.resolve(),
    addCandidate: () => undefined,
    setPreferredLayer: () => undefined,
    subscribe: (id, ids) => void calls.push(`subscribe:${id}${ids ? `:${ids.join(',')}` : ''}`),
    setView: (id, ids) => void calls.push(`view:${id}:${ids.join(',')}`),
    setPinnedAudio: (m, ids) => void calls.push(`pins:${m}:${ids.join(',')}`),
    stopPublishing: (id) => void calls.push(`unpublish:${id}`),
    setAudioMuted: (id, muted) => void calls.push(`mute:${id}:${muted}`),
    removeParticipant(id) {
      calls.push(`remove:${id}`);
      members.delete(id);
    },
    remotePaths: () => [],
    restartSubscriber: (id) => void calls.push(`restart:${id}`),
    stats: () => ({
      meetings: 0,
      participants: members.size,
      forwardedPackets: 0,
      publishers: 0,
      subscriberLegs: 0,
      malformedPackets: 0,
      faults: 0,
      rebuilds: 0,
      layerPauses: 0,
      nackAsked: 0,
      nackRecovered: 0,
    }),
    close: () => undefined,
  };
}
