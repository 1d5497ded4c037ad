import { lazy, Suspense, useEffect, useRef, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { RemovalNotice } from '../../../../protocol/signaling.js';
import { Header } from '../../components/Header.js';
import { LanguageMenu } from '../../components/LanguageMenu.js';
import { useAnnounce } from '../../lib/announcer.js';
import { useDocumentTitle } from '../../lib/document-title.js';
import { noticeText } from '../../lib/errors.js';
import { linkHandler } from '../../lib/router.js';

/** The receipt a removed or refused person is shown (loaded only then). */
const ReceiptPanel = lazy(() => import('../transparency/ReceiptPanel.js').then((m) => ({ default: m.ReceiptPanel })));

/**
 * A page that replaces the one a person was on (left, removed, ended): focus goes to its
 * heading, not the body, and its message is said once through the live region.
 */
function useArrival(title: string, message: string): RefObject<HTMLHeadingElement | null> {
  const heading = useRef<HTMLHeadingElement>(null);
  useDocumentTitle(title);
  useAnnounce(message);
  useEffect(() => heading.current?.focus(), []);
  return heading;
}

/** Full-page message with the app header (language menu stays reachable). */
export function MessagePage(props: { title: string; body: string; testId: string; action?: { label: string; onClick: () => void } }) {
  const { t } = useTranslation();
  const heading = useArrival(props.title, props.body);
  return (
    <>
      <Header />
      <main id="main" className="page narrow center-page" data-testid={props.testId}>
        <h1 ref={heading} tabIndex={-1}>
          {props.title}
        </h1>
        <p className="lede" data-testid={`${props.testId}-text`}>
          {props.body}
        </p>
        <div className="row">
          {props.action && (
            <button type="button" className="btn btn-primary" onClick={props.action.onClick}>
              {props.action.label}
            </button>
          )}
          <a className="btn" href="/" onClick={linkHandler('/')}>
            {t('app.backHome')}
          </a>
        </div>
      </main>
    </>
  );
}

/** What a removed or refused participant reads: which kind of removal, and by whom if allowed. */
export function RemovedScreen({ notice, mode }: { notice: RemovalNotice; mode: 'removed' | 'refused' }) {
  const { t } = useTranslation();
  const title = notice.kind === 'meeting-ended' ? t('lobby.endedTitle') : t('meeting.removedTitle');
  const text = noticeText(t, notice, mode);
  const heading = useArrival(title, text);
  return (
    <>
      <Header />
      <main id="main" className="page narrow center-page" data-testid="removed-notice" data-kind={notice.kind}>
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <p className="lede" data-testid="removed-notice-text">
          {text}
        </p>
        {notice.entryIndex !== undefined && (
          <Suspense fallback={null}>
            <ReceiptPanel index={notice.entryIndex} />
          </Suspense>
        )}
        {(notice.kind === 'legal' || notice.kind === 'location') && (
          <p>
            <a href="/transparency" onClick={linkHandler('/transparency')}>
              {t('notice.transparencyLink')}
            </a>
          </p>
        )}
        <a className="btn" href="/" onClick={linkHandler('/')}>
          {t('app.backHome')}
        </a>
      </main>
    </>
  );
}

export function WaitingScreen({ title, onLeave }: { title: string; onLeave: () => void }) {
  const { t } = useTranslation();
  const heading = useArrival(t('meeting.waitingTitle'), t('meeting.waitingBody'));
  return (
    <>
      <div className="waiting-bar">
        <LanguageMenu />
      </div>
      <main id="main" className="page narrow center-page waiting" data-testid="waiting-screen">
        <div className="spinner" aria-hidden="true" />
        <h1 ref={heading} tabIndex={-1}>
          {t('meeting.waitingTitle')}
        </h1>
        <p className="lede">{title}</p>
        <p>{t('meeting.waitingBody')}</p>
        <button type="button" className="btn" onClick={onLeave} data-testid="leave-waiting">
          {t('meeting.leave')}
        </button>
      </main>
    </>
  );
}
