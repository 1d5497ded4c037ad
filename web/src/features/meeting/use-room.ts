/** Wires a SignalingClient's events into the room reducer. */
import { useEffect, useReducer } from 'react';
import type { EventName, JoinResult } from '../../../../protocol/signaling.js';
import { noticeFromError } from '../../lib/errors.js';
import type { SignalingClient } from '../../lib/signaling.js';
import { initialRoom, roomReducer, type RoomAction, type RoomState } from './room-state.js';

const ROOM_EVENTS: EventName[] = [
  'roster.snapshot',
  'participant.joined',
  'participant.updated',
  'participant.left',
  'waiting.joined',
  'waiting.left',
  'you.admitted',
  'you.removed',
  'meeting.updated',
  'meeting.ended',
  'chat.message',
  'speaker.active',
  'host.notice',
];

export function useRoom(client: SignalingClient, join: JoinResult): [RoomState, (a: RoomAction) => void] {
  const [state, dispatch] = useReducer(roomReducer, join, initialRoom);
  useEffect(() => {
    const offs = ROOM_EVENTS.map((event) => client.on(event, (data: unknown) => dispatch({ event, data } as RoomAction)));
    offs.push(
      client.onState((s) => dispatch({ type: 'connection', state: s })),
      client.onRejoined((result) => dispatch({ type: 'joined', result })),
      client.onRejoinFailed((err) => {
        const notice = noticeFromError(err);
        if (notice) dispatch({ type: 'removed', notice });
      }),
    );
    dispatch({ type: 'connection', state: client.state });
    return () => {
      for (const off of offs) off();
    };
  }, [client]);
  return [state, dispatch];
}
