/** Number and time formatting in the user's locale. */

const numberFormat = new Intl.NumberFormat();

export function formatNumber(value: number | bigint): string {
  return numberFormat.format(value);
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const exactFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

function parse(iso: string | null): Date | null {
  if (iso === null) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "3 days ago", "yesterday", "just now"; "Never" when there is no time. */
export function relativeTime(iso: string | null, now: Date = new Date()): string {
  const date = parse(iso);
  if (date === null) return 'Never';
  const seconds = (date.getTime() - now.getTime()) / 1000;
  const magnitude = Math.abs(seconds);
  for (const [unit, size] of UNITS) {
    if (magnitude >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

/** The exact local date and time, for tooltips. */
export function exactTime(iso: string | null): string {
  const date = parse(iso);
  return date === null ? '' : exactFormat.format(date);
}

/** A calendar date, for facts such as "Created". */
export function formatDate(iso: string | null): string {
  const date = parse(iso);
  return date === null ? '—' : dateFormat.format(date);
}

/** What a delete did with the user's resources, in one sentence. */
export function deletedSentence(outcome: {
  deletedName: string;
  transferredTo: string | null;
  affected: { name: string }[];
}): string {
  const names = outcome.affected.map((r) => r.name).join(', ');
  const count = outcome.affected.length;
  const resources = count === 1 ? '1 resource' : `${formatNumber(count)} resources`;
  if (count === 0) return `Deleted ${outcome.deletedName}. They owned no resources.`;
  return outcome.transferredTo === null
    ? `Deleted ${outcome.deletedName} and ${resources}: ${names}.`
    : `Deleted ${outcome.deletedName}. ${resources} moved to ${outcome.transferredTo}: ${names}.`;
}
