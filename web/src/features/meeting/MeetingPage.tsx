import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RemovalNotice } from '../../../../protocol/signaling.js';
import { Header } from '../../components/Header.js';
import { ApiError, api, type PublicMeeting } from '../../lib/api.js';
import { useDocumentTitle } from '../../lib/document-title.js';
import { errorText } from '../../lib/errors.js';
import { Lobby, type Joined } from '../lobby/Lobby.js';
import { MeetingRoom } from './MeetingRoom.js';
import { MessagePage, RemovedScreen } from './Screens.js';

type Phase =
  | { kind: 'loading' }
  | { kind: 'error'; error: unknown }
  | { kind: 'lobby'; info: PublicMeeting }
  | { kind: 'room'; joined: Joined; info: PublicMeeting }
  | { kind: 'refused'; notice: RemovalNotice }
  | { kind: 'left'; info: PublicMeeting };

/** `/m/:id`: public info → lobby → room, and every way out of it. */
export function MeetingPage({ meetingId }: { meetingId: string }) {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  // The room and the message pages name themselves; the lobby is named here.
  useDocumentTitle(phase.kind === 'lobby' ? t('lobby.title', { title: phase.info.title }) : phase.kind === 'loading' ? t('app.loading') : null);

  useEffect(() => {
    let live = true;
    api
      .publicMeeting(meetingId)
      .then((info) => live && setPhase({ kind: 'lobby', info }))
      .catch((error: unknown) => live && setPhase({ kind: 'error', error }));
    return () => {
      live = false;
    };
  }, [meetingId]);

  switch (phase.kind) {
    case 'loading':
      return (
        <>
          <Header />
          <main id="main" className="page narrow" aria-busy="true">
            {t('app.loading')}
          </main>
        </>
      );
    case 'error': {
      const code = phase.error instanceof ApiError ? phase.error.code : '';
      if (code === 'MEETING_NOT_FOUND' || code === 'NOT_FOUND')
        return <MessagePage testId="meeting-not-found" title={t('lobby.notFoundTitle')} body={t('lobby.notFoundBody')} />;
      if (code === 'MEETING_ENDED') return <MessagePage testId="meeting-ended" title={t('lobby.endedTitle')} body={t('lobby.endedBody')} />;
      return (
        <MessagePage
          testId="meeting-error"
          title={t('errors.generic')}
          body={errorText(t, phase.error)}
          action={{ label: t('app.retry'), onClick: () => location.reload() }}
        />
      );
    }
    case 'lobby':
      if (phase.info.ended) return <MessagePage testId="meeting-ended" title={t('lobby.endedTitle')} body={t('lobby.endedBody')} />;
      return (
        <>
          <Header />
          <Lobby
            info={phase.info}
            onJoined={(joined) => setPhase({ kind: 'room', joined, info: phase.info })}
            onRefused={(notice) => setPhase({ kind: 'refused', notice })}
          />
        </>
      );
    case 'room':
      return (
        <MeetingRoom
          client={phase.joined.client}
          join={phase.joined.join}
          local={phase.joined.local}
          link={phase.joined.link}
          onLeft={() => setPhase({ kind: 'left', info: phase.info })}
        />
      );
    case 'refused':
      return <RemovedScreen notice={phase.notice} mode="refused" />;
    case 'left':
      return (
        <MessagePage
          testId="left-meeting"
          title={t('meeting.leftTitle')}
          body={t('meeting.leftBody')}
          action={{ label: t('meeting.rejoin'), onClick: () => setPhase({ kind: 'lobby', info: phase.info }) }}
        />
      );
  }
}
