import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A modal confirm built on <dialog>, so focus trapping and Escape come from the browser. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  body?: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
  /** Where focus goes after closing when the opener may be gone (e.g. the row of someone removed). */
  returnFocus?: () => HTMLElement | null;
  /** Fields the confirmation needs (e.g. a reason), shown between the body and the buttons. */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  // One id per dialog: two dialogs on a page must not share a title ("End meeting" read as "Remove").
  const titleId = useId();
  const bodyId = useId();
  // Where focus was when the dialog opened; it goes back there (or to `returnFocus`) on close.
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      d.showModal();
    }
    if (!props.open && d.open) {
      d.close();
      const back = props.returnFocus?.() ?? opener.current;
      if (back?.isConnected) back.focus();
    }
  }, [props.open]); // eslint-disable-line react-hooks/exhaustive-deps -- returnFocus is read at close time
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={props.body ? bodyId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
      data-testid={props.testId ?? 'confirm-dialog'}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.body && <p id={bodyId}>{props.body}</p>}
      {props.children}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={props.onCancel} autoFocus>
          {t('app.cancel')}
        </button>
        <button type="button" className={props.danger ? 'btn btn-danger' : 'btn btn-primary'} onClick={props.onConfirm} data-testid="confirm-ok">
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
