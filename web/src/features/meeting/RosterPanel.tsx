import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { MeetingInfo, RosterEntry } from '../../../../protocol/signaling.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';

export interface HostActions {
  admit(id: string): void;
  deny(id: string): void;
  mute(id: string): void;
  remove(id: string): void;
  setRole(id: string, role: 'cohost' | 'participant'): void;
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
  const { actions } = props;

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
      <section aria-labelledby="roster-h">
        <h3 id="roster-h" tabIndex={-1}>
          {t('meeting.inMeeting')} ({props.roster.length})
        </h3>
        <ul className="roster" data-testid="roster-list">
          {props.roster.map((p) => {
            const self = p.participantId === props.selfId;
            return (
              <li key={p.participantId} className="roster-row" data-testid="roster-item" data-participant-id={p.participantId}>
                <span className={props.speaker === p.participantId ? 'roster-name speaking-text' : 'roster-name'}>
                  <span data-testid="roster-name">{self ? t('meeting.nameYou', { name: p.displayName }) : p.displayName}</span>
                  {p.role !== 'participant' && <span className="chip">{t(`meeting.${p.role}`)}</span>}
                </span>
                <span className="roster-icons">
                  {p.hand === true && <span className="icon icon-hand dark" role="img" aria-label={t('meeting.handRaised')} data-testid="roster-hand" />}
                  {!p.audio && <span className="icon icon-mic-off dark" role="img" aria-label={t('meeting.muted')} />}
                  {!p.video && <span className="icon icon-cam-off dark" role="img" aria-label={t('meeting.cameraOffLabel')} />}
                  {p.screen && <span className="chip">{t('meeting.sharing')}</span>}
                </span>
                {props.isHost && !self && p.role !== 'host' && (
                  <details className="row-menu">
                    <summary aria-label={t('meeting.actionsFor', { name: p.displayName })} data-testid="participant-menu">
                      ⋯
                    </summary>
                    <div
                      className="menu"
                      role="group"
                      aria-label={t('meeting.actionsFor', { name: p.displayName })}
                      onClick={(e) => {
                        // Close the menu once an action is chosen.
                        const details = e.currentTarget.closest('details');
                        if (details && (e.target as HTMLElement).closest('button')) details.open = false;
                      }}
                    >
                      {p.audio && (
                        <button type="button" onClick={() => actions.mute(p.participantId)} data-testid="host-mute">
                          {t('meeting.muteParticipant')}
                        </button>
                      )}
                      {props.isOwner && (
                        <button
                          type="button"
                          onClick={() => actions.setRole(p.participantId, p.role === 'cohost' ? 'participant' : 'cohost')}
                          data-testid="host-role"
                        >
                          {p.role === 'cohost' ? t('meeting.revokeCohost') : t('meeting.makeCohost')}
                        </button>
                      )}
                      <button type="button" className="danger-text" onClick={() => setRemoving(p)} data-testid="host-remove">
                        {t('meeting.removeParticipant')}
                      </button>
                    </div>
                  </details>
                )}
              </li>
            );
          })}
        </ul>
      </section>
      {props.security}
      {props.isHost && (
        <section aria-labelledby="hostctl-h" className="host-controls" data-testid="host-controls">
          <h3 id="hostctl-h">{t('meeting.hostControls')}</h3>
          <button type="button" className="btn" onClick={() => actions.lock(!props.meeting.locked)} data-testid="host-lock" aria-pressed={props.meeting.locked}>
            {props.meeting.locked ? t('meeting.unlock') : t('meeting.lock')}
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
