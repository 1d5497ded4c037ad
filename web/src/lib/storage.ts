/** Small localStorage helpers that never throw (private mode, quota). */
export function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
export function save(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // ignore
  }
}

export const NAME_KEY = 'parley.displayName';
const PASSCODES_KEY = 'parley.hostPasscodes';

/** Passcodes this host set from this browser, so "copy link with passcode" can work later. */
export function rememberPasscode(meetingId: string, passcode: string | null): void {
  const all = passcodes();
  if (passcode) all[meetingId] = passcode;
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a JSON record kept in localStorage
  else delete all[meetingId];
  save(PASSCODES_KEY, JSON.stringify(all));
}
export function passcodes(): Record<string, string> {
  try {
    const v = JSON.parse(load(PASSCODES_KEY) ?? '{}') as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}
