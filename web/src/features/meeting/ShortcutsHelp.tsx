import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SHORTCUT_KEYS, type ShortcutAction } from './use-shortcuts.js';

const LABEL: Record<ShortcutAction, string> = {
  mic: 'meeting.keyMute',
  camera: 'meeting.keyCamera',
  chat: 'meeting.keyChat',
  roster: 'meeting.keyRoster',
  hand: 'meeting.keyHand',
};

/** The room's keyboard help: every shortcut, and the switch that turns them all off. */
export function ShortcutsHelp({ enabled, onEnabled }: { enabled: boolean; onEnabled: (on: boolean) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const hintId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) {
      d.close();
      button.current?.focus();
    }
  }, [open]);
  return (
    <>
      <button
        ref={button}
        type="button"
        className="btn btn-ghost btn-small room-help"
        onClick={() => setOpen(true)}
        aria-haspopup="dialog"
        aria-label={t('meeting.shortcuts')}
        title={t('meeting.shortcuts')}
        data-testid="shortcuts-help"
      >
        <span className="icon icon-keyboard" aria-hidden="true" />
        <span className="room-help-text">{t('meeting.shortcuts')}</span>
      </button>
      <dialog
        ref={ref}
        className="dialog"
        aria-labelledby={titleId}
        aria-describedby={hintId}
        onCancel={(e) => {
          e.preventDefault();
          setOpen(false);
        }}
        data-testid="shortcuts-dialog"
      >
        <h2 id={titleId}>{t('meeting.shortcuts')}</h2>
        <p id={hintId} className="small muted">
          {t('meeting.shortcutsHint')}
        </p>
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => onEnabled(e.target.checked)} data-testid="shortcuts-enabled" />
          {t('meeting.shortcutsOn')}
        </label>
        <dl className="shortcut-list">
          {SHORTCUT_KEYS.map((s) => (
            <div key={s.key}>
              <dt>
                <kbd>{s.key}</kbd>
              </dt>
              <dd>{t(LABEL[s.action])}</dd>
            </div>
          ))}
          <div>
            <dt>
              <kbd>{t('meeting.keySpace')}</kbd>
            </dt>
            <dd>{t('meeting.keyTalk')}</dd>
          </div>
        </dl>
        <div className="dialog-actions">
          <button type="button" className="btn btn-primary" onClick={() => setOpen(false)} autoFocus>
            {t('app.close')}
          </button>
        </div>
      </dialog>
    </>
  );
}
