/**
 * Checks for the limits on a user, done in the panel before sending (the
 * server checks again and its message wins): allowed IP ranges in CIDR
 * notation or bare addresses, and a credit limit where empty means none.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isIpv4(text: string): boolean {
  const parts = IPV4.exec(text);
  return parts !== null && parts.slice(1).every((p) => Number(p) <= 255);
}

function isIpv6(text: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(':')) return false;
  const double = text.split('::');
  if (double.length > 2) return false;
  const groups = text.split(':').filter((g) => g !== '');
  const last = groups.at(-1) ?? '';
  // An embedded IPv4 address counts as two groups.
  const embedded = last.includes('.');
  if (embedded && !isIpv4(last)) return false;
  const hex = embedded ? groups.slice(0, -1) : groups;
  if (!hex.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  const count = hex.length + (embedded ? 2 : 0);
  return double.length === 2 ? count < 8 : count === 8;
}

/** Why a range is not valid, in the user's words, or null when it is. */
export function ipRangeProblem(range: string): string | null {
  const text = range.trim();
  const [address = '', prefix, extra] = text.split('/');
  const v4 = isIpv4(address);
  const ok =
    extra === undefined &&
    (v4 || isIpv6(address)) &&
    (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (v4 ? 32 : 128)));
  return ok
    ? null
    : `“${text}” is not an IP range; write it in CIDR notation such as 192.168.1.0/24 or 2001:db8::/32.`;
}

/** The ranges typed one per line (or separated by commas), blank lines left out. */
export function splitRanges(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((r) => r.trim())
    .filter((r) => r !== '');
}

/** The credit limit typed: null for empty (no limit), or why it is not valid. */
export function parseCreditLimit(text: string): { limit: number | null } | { problem: string } {
  const trimmed = text.trim().replace(/[\s,]/g, '');
  if (trimmed === '') return { limit: null };
  if (!/^\d+$/.test(trimmed)) {
    return { problem: 'Write the credit limit as a whole number, or leave it empty for no limit.' };
  }
  return { limit: Number(trimmed) };
}
