/** REST shapes of the accounts domain that both server and web read. */
import { z } from 'zod';

/**
 * One account in the admin console's list: enough to find it and act on it, never its full
 * email (threat model A2: no admin learns which emails have accounts). `emailMasked` keeps the
 * first character of the local part and the domain: `a***@example.org`.
 */
export const AdminUserView = z.strictObject({
  id: z.string(),
  emailMasked: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(['admin', 'compliance', 'approver', 'auditor'])),
  accountType: z.enum(['individual', 'business']),
  status: z.enum(['active', 'suspended']),
  businessVerified: z.boolean(),
});
export type AdminUserView = z.infer<typeof AdminUserView>;

/** `alice@example.org` → `a***@example.org`; the local part is never shown beyond its first character. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = at < 0 ? email : email.slice(0, at);
  const first = Array.from(local)[0] ?? '';
  return `${first}***${at < 0 ? '' : email.slice(at)}`;
}
