/** A form's submit: no page reload, a busy flag while it runs, and its failure as a sentence. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './errors.js';

export interface Submit {
  busy: boolean;
  /** The last failure, in the current language (errors.ts), or null. */
  error: string | null;
  submit: (e: { preventDefault(): void }) => Promise<void>;
  clearError: () => void;
}

export function useSubmit(action: () => Promise<void>): Submit {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const clearError = () => setError(null);
  return { busy, error, submit, clearError };
}
