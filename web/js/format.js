// Pure helpers: money, prices, instants and time zones. No DOM, no fetch: the node unit tests
// (tests/browser/unit/) import this module as it is.

export const SLOT_MINUTES = 30;
export const DURATIONS = [30, 60, 90];
export const TOPIC_MIN = 10;
export const TOPIC_MAX = 1000;
export const COMMENT_MAX = 2000;
const MINUTE = 60_000;

/** {"amount": 12050, "currency": "USD"} -> "$120.50" */
export function formatMoney(money, locale = 'en-US') {
  const currency = money?.currency || 'USD';
  const digits = new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits;
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
    money.amount / 10 ** digits,
  );
}

/** The contract's price: hourly rate × minutes / 60, rounded half-up to the minor unit. */
export function priceFor(hourlyRateMinor, minutes) {
  if (!Number.isInteger(hourlyRateMinor) || !Number.isInteger(minutes)) {
    throw new TypeError('rate and minutes must be integers');
  }
  // x = rate·minutes/60; half-up = floor(x + 1/2) = floor((2·rate·minutes + 60) / 120), exact in integers.
  return Math.floor((2 * hourlyRateMinor * minutes + 60) / 120);
}

/**
 * A dollar amount typed by a person ("120", "120.5", "1,200.00") -> minor units (12000...).
 * "" -> null (no filter). Anything else that is not a non-negative amount with at most two
 * decimals -> NaN, so the caller can say so.
 */
export function dollarsToMinor(text) {
  const value = String(text ?? '').trim().replace(/,/g, '').replace(/^\$/, '');
  if (value === '') return null;
  const match = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(value);
  if (!match) return Number.NaN;
  return Number(match[1]) * 100 + Number((match[2] || '').padEnd(2, '0'));
}

/** 12050 -> "120.50", 12000 -> "120" (for an input's value). */
export function minorToDollars(amount) {
  const whole = Math.trunc(amount / 100);
  const cents = Math.abs(amount % 100);
  return cents ? `${whole}.${String(cents).padStart(2, '0')}` : String(whole);
}

/** Length the server checks: code points after trimming (Python's len(str.strip())). */
export function trimmedLength(text) {
  return [...String(text ?? '').trim()].length;
}

export function topicProblem(text) {
  const length = trimmedLength(text);
  if (length < TOPIC_MIN) return `Write at least ${TOPIC_MIN} characters (${length} so far).`;
  if (length > TOPIC_MAX) return `Keep it to ${TOPIC_MAX.toLocaleString('en-US')} characters (${length} now).`;
  return null;
}

/** Date -> RFC 3339 UTC without fractions: "2026-11-24T14:00:00Z". */
export function toUtcString(date) {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function addMinutes(iso, minutes) {
  return toUtcString(new Date(Date.parse(iso) + minutes * MINUTE));
}

/** The browser's own IANA zone (the contract's `tz`). */
export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Every zone the browser knows, sorted, always with UTC and `extra` (the current choice). */
export function supportedZones(...extra) {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  return [...new Set([...zones, 'UTC', ...extra.filter(Boolean)])].sort();
}

function zonedParts(date, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const get = (type) => Number(parts.find((part) => part.type === type).value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** Offset of `timeZone` from UTC at the instant `date`, in minutes (Berlin in winter: 60). */
export function zoneOffsetMinutes(date, timeZone) {
  const p = zonedParts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const whole = Math.floor(date.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / MINUTE);
}

/**
 * A wall-clock time in `timeZone` ("2026-11-24", "09:30") -> the instant (a Date). In a
 * daylight-saving gap the time is taken with the offset before the change; in an overlap, the
 * first of the two instants.
 */
export function zonedTimeToDate(dateText, timeText, timeZone) {
  const [year, month, day] = dateText.split('-').map(Number);
  const [hour, minute] = timeText.split(':').map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offsets in force half a day either side cover any single change around this time.
  const before = wall - zoneOffsetMinutes(new Date(wall - 720 * MINUTE), timeZone) * MINUTE;
  const after = wall - zoneOffsetMinutes(new Date(wall + 720 * MINUTE), timeZone) * MINUTE;
  const shows = (instant) => {
    const p = zonedParts(new Date(instant), timeZone);
    return p.day === day && p.hour === hour && p.minute === minute;
  };
  const matching = [before, after].filter(shows).sort((a, b) => a - b);
  return new Date(matching.length ? matching[0] : before);
}

/** "YYYY-MM-DD" of the instant in `timeZone`. */
export function dayInZone(date, timeZone) {
  const p = zonedParts(new Date(date), timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** "2026-11-24" + 1 -> "2026-11-25" (calendar arithmetic, no zone involved). */
export function addDays(dayText, days) {
  const [year, month, day] = dayText.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The local calendar day of a `localStart` ("2026-11-24T09:00:00-05:00" -> "2026-11-24"). */
export function localDay(localIso) {
  return localIso.slice(0, 10);
}

/** "2026-11-24" -> "Tue, Nov 24" (the day itself, whatever the zone). */
export function formatDay(dayText, options = { weekday: 'short', month: 'short', day: 'numeric' }, locale) {
  const [year, month, day] = dayText.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, month - 1, day, 12)),
  );
}

/** An instant as a time of day in `timeZone`: "9:30 AM". */
export function formatTime(iso, timeZone, locale) {
  return new Intl.DateTimeFormat(locale, { timeZone, hour: 'numeric', minute: '2-digit' }).format(
    new Date(iso),
  );
}

/** An instant with its day in `timeZone`: "Tue, Nov 24, 9:30 AM". */
export function formatDateTime(iso, timeZone, locale) {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(iso));
}

/** "m:ss" left until `untilIso` at `nowMs` (never negative). */
export function countdown(untilIso, nowMs = Date.now()) {
  const seconds = Math.max(0, Math.ceil((Date.parse(untilIso) - nowMs) / 1000));
  return { seconds, text: `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}` };
}

/**
 * Whether a session of `minutes` can start at `startIso`: every 30-minute slot it needs is
 * listed and available. `slots` is the API's list of Slot objects.
 */
export function canStartAt(slots, startIso, minutes) {
  const open = new Set(slots.filter((slot) => slot.available).map((slot) => Date.parse(slot.start)));
  const start = Date.parse(startIso);
  for (let offset = 0; offset < minutes; offset += SLOT_MINUTES) {
    if (!open.has(start + offset * MINUTE)) return false;
  }
  return true;
}

/** Slots grouped by the local day of their localStart, in order: Map(day -> [Slot]). */
export function slotsByDay(slots) {
  const days = new Map();
  for (const slot of [...slots].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))) {
    const day = localDay(slot.localStart);
    if (!days.has(day)) days.set(day, []);
    days.get(day).push(slot);
  }
  return days;
}

export const EXPERIENCE_LEVELS = [
  ['junior', 'Junior (0–3 years)'],
  ['mid', 'Mid-level (3–7 years)'],
  ['senior', 'Senior (7–12 years)'],
  ['staff', 'Staff+ (12+ years)'],
];

export function experienceLabel(level) {
  return (EXPERIENCE_LEVELS.find(([value]) => value === level) || [level, level])[1];
}

export function ratingText(card) {
  if (card.averageRating === null || card.averageRating === undefined || !card.reviewCount) {
    return 'No reviews yet';
  }
  const reviews = card.reviewCount === 1 ? 'review' : 'reviews';
  return `★ ${card.averageRating.toFixed(1)} (${card.reviewCount} ${reviews})`;
}

export function initials(name) {
  return String(name || '?')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join('');
}

// ------------------------------------------------------------ commitments (CONTRACT "Commitments")

/** Refund tiers of each cancellation policy: cancelled at least `hours` before the start -> `share`. */
export const CANCELLATION_POLICIES = {
  flexible: { label: 'Flexible', tiers: [{ hours: 2, share: 'full' }] },
  moderate: { label: 'Moderate', tiers: [{ hours: 24, share: 'full' }, { hours: 2, share: 'half' }] },
  strict: { label: 'Strict', tiers: [{ hours: 72, share: 'full' }, { hours: 24, share: 'half' }] },
};
const NO_SHOW_OPENS_MINUTES = 10;
const NO_SHOW_CLOSES_HOURS = 48;

export function policyLabel(policy) {
  return CANCELLATION_POLICIES[policy]?.label || policy;
}

function hoursText(hours) {
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

/** "Full refund if cancelled at least 24 hours before the start; half at least 2 hours before; none later." */
export function policySummary(policy) {
  const tiers = CANCELLATION_POLICIES[policy]?.tiers;
  if (!tiers) return '';
  const parts = tiers.map((tier, index) =>
    index === 0
      ? `${tier.share === 'full' ? 'Full' : 'Half'} refund if cancelled at least ${hoursText(tier.hours)} before the start`
      : `${tier.share} at least ${hoursText(tier.hours)} before`,
  );
  return `${parts.join('; ')}; none later.`;
}

/**
 * The policy's deadlines for a session starting at `startIso`: [{share: 'full'|'half', until: ISO}],
 * the last instant each refund still applies, latest share last. (A mentor's cancel refunds in full.)
 */
export function refundDeadlines(policy, startIso) {
  const start = Date.parse(startIso);
  return (CANCELLATION_POLICIES[policy]?.tiers || []).map((tier) => ({ share: tier.share, until: toUtcString(start - tier.hours * 3_600_000) }));
}

/** Whether a no-show may be reported now: from 10 minutes after the start to 48 hours after the end. */
export function noShowWindowOpen(booking, nowMs = Date.now()) {
  return Date.parse(booking.start) + NO_SHOW_OPENS_MINUTES * MINUTE <= nowMs && nowMs <= Date.parse(booking.end) + NO_SHOW_CLOSES_HOURS * 60 * MINUTE;
}

// ------------------------------------------------------------ weekly schedules (CONTRACT "Mentor schedules and calendars")

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Wall-clock times on :00/:30, "00:00" ... "24:00" ("24:00" only ends a day). */
export function wallTimes({ from = 0, to = 48 } = {}) {
  const times = [];
  for (let half = from; half <= to; half += 1) {
    times.push(`${String(Math.floor(half / 2)).padStart(2, '0')}:${half % 2 ? '30' : '00'}`);
  }
  return times;
}

function minutesOf(wall) {
  const [hours, minutes] = wall.split(':').map(Number);
  return hours * 60 + minutes;
}

/**
 * What is wrong with one day's intervals ([{start, end}] as "HH:MM"), as sentences: an end not
 * after its start, or two intervals that overlap. [] when they can be saved.
 */
export function intervalProblems(intervals) {
  const problems = [];
  intervals.forEach((interval, index) => {
    if (minutesOf(interval.end) <= minutesOf(interval.start)) {
      problems.push(`${interval.start}–${interval.end} ends before it starts`);
    }
    for (const other of intervals.slice(index + 1)) {
      if (minutesOf(interval.start) < minutesOf(other.end) && minutesOf(other.start) < minutesOf(interval.end)) {
        problems.push(`${interval.start}–${interval.end} overlaps ${other.start}–${other.end}`);
      }
    }
  });
  return problems;
}
