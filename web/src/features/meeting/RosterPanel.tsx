import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MeetingInfo, RosterEntry } from '../../../../protocol/signaling.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { filterRoster, handsInOrder, rosterCounts } from './roster-view.js';
import { RosterRow } from './RosterRow.js';
import { RosterWindow } from './RosterWindow.js';

/** Above this many people the list is a window of fixed-height rows (only the visible ones exist). */
const VIRTUAL_FROM = 40;
/** Above this many people the list can be searched by name. */
const SEARCH_FROM = 8;
/** Voices the host may pin at once (`host.pin-audio` takes at most this many). */
export const MAX_PINNED_AUDIO = 8;

export interface HostActions {
  admit(id: string): void;
  deny(id: string): void;
  mute(id: string): void;
  remove(id: string): void;
  setRole(id: string, role: 'cohost' | 'participant'): void;
  /** Events: promote an attendee to panelist, or demote a panelist. */
  setPanelist(id: string, panelist: boolean): void;
  /** Pin (or unpin) a voice everyone hears beside the loudest few (`host.pin-audio`). */
  pinAudio(id: string, pinned: boolean): void;
  /** Ask every publisher but the hosts to mute; `lock` keeps them muted. */
  muteAll(lock: boolean): void;
  micsLock(locked: boolean): void;
  lock(locked: boolean): void;
  endForAll(): void;
}

/** Everyone in the meeting, for everyone: nobody is left off this list. */
export function RosterPanel(props: {
  roster: RosterEntry[];
  waiting: RosterEntry[];
  selfId: string;
  isHost: boolean;
  isOwner: boolean;
  meeting: MeetingInfo;
  speaker: string | null;
  actions: HostActions;
  /** The security panel (code, chain, encryption), shown under the list. */
  security?: ReactNode;
}) {
  const { t } = useTranslation();
  const [removing, setRemoving] = useState<RosterEntry | null>(null);
  const [ending, setEnding] = useState(false);
  const [query, setQuery] = useState('');
  const { actions } = props;
  const event = props.meeting.event === true;
  const counts = useMemo(() => rosterCounts(props.roster), [props.roster]);
  const hands = useMemo(() => handsInOrder(props.roster), [props.roster]);
  const shown = useMemo(() => filterRoster(props.roster, query), [props.roster, query]);
  // A pinned person who left stays in the meeting's list until the next pin; they count for nothing here.
  const pins = useMemo(
    () => (props.meeting.pinnedAudio ?? []).filter((id) => props.roster.some((p) => p.participantId === id)),
    [props.meeting.pinnedAudio, props.roster],
  );
  const rowProps = {
    canPin: pins.length < MAX_PINNED_AUDIO,
    selfId: props.selfId,
    speaker: props.speaker,
    isHost: props.isHost,
    isOwner: props.isOwner,
    event,
    actions,
    onRemove: setRemoving,
  };

  return (
    <div className="panel-body">
      {props.isHost && props.waiting.length > 0 && (
        <section aria-labelledby="waiting-h" className="waiting-list" data-testid="waiting-list">
          <h3 id="waiting-h">
            {t('meeting.waitingList')} ({props.waiting.length})
          </h3>
          <ul className="roster">
            {props.waiting.map((p) => (
              <li key={p.participantId} className="roster-row" data-testid="waiting-item" data-participant-id={p.participantId}>
                <span className="roster-name">{p.displayName}</span>
                <span className="row-actions">
                  <button type="button" className="btn btn-primary btn-small" onClick={() => actions.admit(p.participantId)} data-testid="admit">
                    {t('meeting.admit')}
                  </button>
                  <button type="button" className="btn btn-small" onClick={() => actions.deny(p.participantId)} data-testid="deny">
                    {t('meeting.deny')}
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {props.isHost && hands.length > 0 && (
        <section aria-labelledby="hands-h" className="hands-list" data-testid="hands-list">
          <h3 id="hands-h">
            {t('meeting.handsRaised')} ({hands.length})
          </h3>
          <ol className="roster">
            {hands.map((p) => (
              <li key={p.participantId} className="roster-row" data-testid="hand-item" data-participant-id={p.participantId}>
                <span className="roster-name">{p.participantId === props.selfId ? t('meeting.nameYou', { name: p.displayName }) : p.displayName}</span>
                {event && p.role === 'attendee' && (
                  <button
                    type="button"
                    className="btn btn-primary btn-small"
                    onClick={() => actions.setPanelist(p.participantId, true)}
                    aria-label={t('meeting.promoteName', { name: p.displayName })}
                    data-testid="hand-promote"
                  >
                    {t('meeting.promote')}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </section>
      )}
      <section aria-labelledby="roster-h">
        <h3 id="roster-h" tabIndex={-1}>
          {t('meeting.inMeeting')} ({props.roster.length})
        </h3>
        <p className="roster-counts small muted" data-testid="roster-counts">
          {event
            ? t('meeting.countsEvent', { speakers: counts.speakers, attendees: counts.attendees, hands: counts.hands })
            : t('meeting.countsMeeting', { hands: counts.hands })}
        </p>
        {props.roster.length > SEARCH_FROM && (
          <label className="field roster-search">
            <span>{t('meeting.searchRoster')}</span>
            <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" data-testid="roster-search" />
          </label>
        )}
        {query.trim() !== '' && (
          <p className="small muted" role="status" data-testid="roster-matches">
            {t('meeting.searchMatches', { count: shown.length })}
          </p>
        )}
        {shown.length > VIRTUAL_FROM ? (
          <RosterWindow count={shown.length} label={t('meeting.inMeeting')}>
            {(i, style) => {
              const p = shown[i];
              return p ? (
                <RosterRow key={p.participantId} p={p} {...rowProps} pinned={pins.includes(p.participantId)} pos={{ index: i, size: shown.length, style }} />
              ) : null;
            }}
          </RosterWindow>
        ) : (
          <ul className="roster" data-testid="roster-list">
            {shown.map((p) => (
              <RosterRow key={p.participantId} p={p} {...rowProps} pinned={pins.includes(p.participantId)} />
            ))}
          </ul>
        )}
      </section>
      {props.security}
      {props.isHost && (
        <section aria-labelledby="hostctl-h" className="host-controls" data-testid="host-controls">
          <h3 id="hostctl-h">{t('meeting.hostControls')}</h3>
          <button type="button" className="btn" onClick={() => actions.lock(!props.meeting.locked)} data-testid="host-lock" aria-pressed={props.meeting.locked}>
            {props.meeting.locked ? t('meeting.unlock') : t('meeting.lock')}
          </button>
          <button type="button" className="btn" onClick={() => actions.muteAll(false)} data-testid="host-mute-all">
            {t('meeting.muteAll')}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => actions.micsLock(props.meeting.micsLocked !== true)}
            aria-pressed={props.meeting.micsLocked === true}
            data-testid="host-mics-lock"
          >
            {props.meeting.micsLocked === true ? t('meeting.unlockMics') : t('meeting.lockMics')}
          </button>
          <button type="button" className="btn btn-danger" onClick={() => setEnding(true)} data-testid="host-end">
            {t('meeting.endForAll')}
          </button>
        </section>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={t('meeting.removeParticipant')}
        body={t('meeting.removeConfirm', { name: removing?.displayName ?? '' })}
        confirmLabel={t('meeting.removeParticipant')}
        danger
        onConfirm={() => {
          if (removing) actions.remove(removing.participantId);
          setRemoving(null);
        }}
        onCancel={() => setRemoving(null)}
        // The removed person's row (and its menu) is about to go: focus goes to the list's heading.
        returnFocus={() => document.getElementById('roster-h')}
        testId="remove-dialog"
      />
      <ConfirmDialog
        open={ending}
        title={t('meeting.endConfirmTitle')}
        body={t('meeting.endConfirmBody')}
        confirmLabel={t('meeting.endForAll')}
        danger
        onConfirm={() => {
          setEnding(false);
          actions.endForAll();
        }}
        onCancel={() => setEnding(false)}
        testId="end-dialog"
      />
    </div>
  );
}
