import type { Kysely } from 'kysely';
import type { DialectName } from '../index.js';
import * as core from './001-core.js';
import * as transparency from './002-transparency.js';
import * as policy from './003-policy.js';
import * as sealedChat from './004-sealed-chat.js';
import * as noStoredChat from './005-no-stored-chat.js';
import * as meetingStarted from './006-meeting-started.js';
import * as pendingCommands from './007-pending-commands.js';
import * as meetingEvent from './010-meeting-event.js';
import * as logCosignatures from './009-log-cosignatures.js';

export interface DialectMigration {
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
}

/** Applied in key order. Add new ones at the end; never edit one that has shipped. */
export const migrations: Record<string, DialectMigration> = {
  '001-core': core,
  '002-transparency': transparency,
  '003-policy': policy,
  '004-sealed-chat': sealedChat,
  '005-no-stored-chat': noStoredChat,
  '006-meeting-started': meetingStarted,
  '007-pending-commands': pendingCommands,
  '009-log-cosignatures': logCosignatures,
  '010-meeting-event': meetingEvent,
};
