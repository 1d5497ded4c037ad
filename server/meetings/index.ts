export { createMeetingStore, toMeeting } from './meeting-store.js';
export type { MeetingStore, NewMeeting } from './meeting-store.js';
export { RoomManager, RECONNECT_GRACE_MS } from './rooms.js';
export type { RoomsDeps } from './rooms.js';
export { admitParticipant } from './join.js';
export type { JoinRequest } from './join.js';
export { handleInMeeting } from './actions.js';
export { startReceiversReport } from './e2ee-relay.js';
export { acceptRosterBatches } from './roster-batch.js';
export { meetingRoutes } from './routes.js';
export { iceServersFor, publicIceServers } from './turn.js';
export type { IceServer, TurnConfig } from './turn.js';
export type { Participant, Room } from './room.js';
export type {
  AdmissionDecision,
  AdmissionPolicy,
  ClientChannel,
  EnforcementPort,
  HostNotice,
  LiveParticipant,
  MeetingRecord,
  ParticipantLocation,
  SurveyedMeeting,
} from './types.js';
