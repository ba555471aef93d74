/** Trimmed and lower-cased: one account per mailbox, however it is typed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
