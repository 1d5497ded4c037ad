import { useEffect, useState } from 'react';
import type { SecuritySession } from '../e2ee-session.js';

/** Re-render on every change of the session's chain, keys or warnings. */
export function useSecurityState(session: SecuritySession) {
  const [state, setState] = useState(() => session.state());
  useEffect(() => {
    setState(session.state());
    return session.onChange(() => setState(session.state()));
  }, [session]);
  return state;
}
