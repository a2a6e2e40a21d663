// "My sessions" (GET /me/bookings, upcoming and past) with join, cancel, reschedule and the review
// form; the same booking item serves the mentor's dashboard and the booking page (#/bookings/:id).

import { enc } from '../api.js';
import { errorBox, field, h, replace, spinner, uid } from '../dom.js';
import {
  COMMENT_MAX,
  formatDateTime,
  formatDay,
  formatMoney,
  formatTime,
  noShowWindowOpen,
  policyLabel,
  trimmedLength,
} from '../format.js';
import { loadAvailability, startsFor } from './mentor-profile.js';
import { waitlistList } from './waitlist.js';

const STATUS_LABELS = {
  held: 'On hold',
  confirmed: 'Confirmed',
  completed: 'Completed',
  cancelled: 'Cancelled',
  expired: 'Hold expired',
  released: 'Released',
  payment_failed: 'Payment failed',
  no_show: 'No-show',
};

/** Who someone is, from the point of view of `role` (the reader): "you" or their name. */
function partyName(booking, party, role) {
  if (party === role) return 'you';
  return party === 'mentor' ? booking.mentorName : booking.menteeName;
}

/** What a cancelled or no-show booking gave back: "Cancelled by you · $110.00 refunded". */
function settlementText(booking, role) {
  if (!booking.refund) return null;
  const who = booking.status === 'no_show'
    ? `${partyName(booking, booking.absent, role).replace(/^you$/, 'You')} did not attend`
    : booking.cancelledBy ? `Cancelled by ${partyName(booking, booking.cancelledBy, role)}` : 'Cancelled';
  const money = booking.refund.amount
    ? `${formatMoney(booking.refund)} ${booking.refundStatus === 'pending' ? 'to be refunded (the payment gateway is being retried)' : 'refunded'}`
    : 'nothing refunded';
  return `${who} · ${money}`;
}

/** A mentee may move a session only while cancelling it would refund in full (docs/decisions.md). */
function menteeMayMove(booking) {
  return !booking.refundIfCancelledNow || booking.refundIfCancelledNow.amount >= booking.price.amount;
}

function hasEnded(booking) {
  return Date.parse(booking.end) <= Date.now();
}

function hasStarted(booking) {
  return Date.parse(booking.start) <= Date.now();
}

/**
 * One booking with what the caller may do with it now. `role` is "mentee" or "mentor";
 * `refresh()` reloads the list it is in.
 */
export function bookingItem(app, booking, { role = 'mentee', refresh = () => {} } = {}) {
  const zone = app.tz;
  const other = role === 'mentor' ? booking.menteeName : booking.mentorName;
  const panel = h('div', { class: 'booking-panel' });
  const actions = h('div', { class: 'actions' });
  const headingId = uid('booking');
  const item = h(
    'li',
    { class: `card booking-item status-${booking.status}`, dataset: { bookingId: booking.bookingId } },
    h(
      'article',
      { 'aria-labelledby': headingId },
      h(
        'h3',
        { id: headingId },
        role === 'mentor' ? `With ${other}` : h('a', { href: `#/mentors/${encodeURIComponent(booking.mentorId)}` }, other),
        ' ',
        h('span', { class: `badge ${booking.status}` }, STATUS_LABELS[booking.status] || booking.status),
      ),
      h('p', {}, h('time', { datetime: booking.start }, formatDateTime(booking.start, zone)), ` – ${formatTime(booking.end, zone)} · ${booking.durationMinutes} min · ${formatMoney(booking.price)}`),
      h('p', { class: 'topic' }, booking.topic),
      settlementText(booking, role) ? h('p', { class: 'settlement' }, settlementText(booking, role)) : null,
      booking.cancellationPolicy && ['held', 'confirmed'].includes(booking.status)
        ? h('p', { class: 'muted policy-line' }, `${policyLabel(booking.cancellationPolicy)} cancellation policy`)
        : null,
      actions,
      panel,
    ),
  );

  const confirmedUpcoming = booking.status === 'confirmed' && !hasStarted(booking);
  if (booking.status === 'confirmed' && !hasEnded(booking)) {
    const join = h('button', { type: 'button', class: 'button small' }, 'Join');
    join.addEventListener('click', async () => {
      join.disabled = true;
      try {
        const { meetingUrl } = await app.api.get(`/bookings/${enc(booking.bookingId)}/join`);
        replace(panel, h('p', { class: 'notice success', role: 'status' }, 'Meeting link: ', h('a', { href: meetingUrl, target: '_blank', rel: 'noopener noreferrer', class: 'meeting-link' }, meetingUrl)));
      } catch (error) {
        replace(panel, errorBox(error, { title: 'Cannot join: ' }));
      }
      join.disabled = false;
    });
    actions.append(join);
  }
  if (confirmedUpcoming || booking.status === 'held') {
    const cancel = h('button', { type: 'button', class: 'button small secondary' }, booking.status === 'held' ? 'Release hold' : 'Cancel');
    cancel.addEventListener('click', () => showCancel(app, booking, panel, refresh, role));
    actions.append(cancel);
  }
  if (confirmedUpcoming && role === 'mentee' && menteeMayMove(booking)) {
    const reschedule = h('button', { type: 'button', class: 'button small secondary' }, 'Reschedule');
    reschedule.addEventListener('click', () => showReschedule(app, booking, panel, refresh));
    actions.append(reschedule);
  }
  const attended = ['confirmed', 'completed'].includes(booking.status) || (booking.status === 'no_show' && booking.absent === 'mentor');
  if (role === 'mentee' && attended && hasEnded(booking)) {
    const review = h('button', { type: 'button', class: 'button small' }, 'Write a review');
    review.addEventListener('click', () => showReview(app, booking, panel));
    actions.append(review);
  }
  if (['confirmed', 'completed'].includes(booking.status) && noShowWindowOpen(booking)) {
    const absent = role === 'mentee' ? 'mentor' : 'mentee';
    const report = h('button', { type: 'button', class: 'button small secondary' }, `Report ${partyName(booking, absent, role)} absent`);
    report.addEventListener('click', () => showNoShow(app, booking, panel, refresh, role, absent));
    actions.append(report);
  }
  if (booking.status === 'held' && role === 'mentee') {
    actions.prepend(h('a', { class: 'button small', href: `#/checkout/${encodeURIComponent(booking.bookingId)}` }, 'Pay'));
  }
  return item;
}

/** What cancelling now means for the money, said before the person confirms. */
function refundPreview(booking, role) {
  if (booking.status === 'held') return 'Nothing has been paid yet: the time is simply freed.';
  if (role === 'mentor') return `${booking.menteeName} is refunded in full (${formatMoney(booking.price)}): a mentor's cancellation always refunds everything.`;
  const refund = booking.refundIfCancelledNow;
  if (!refund) return null;
  const policy = `${policyLabel(booking.cancellationPolicy)} policy`;
  if (refund.amount >= booking.price.amount) return `You get a full refund of ${formatMoney(refund)} (${policy}).`;
  if (refund.amount > 0) return `You get ${formatMoney(refund)} of the ${formatMoney(booking.price)} you paid back (${policy}).`;
  return `Nothing is refunded: it is too close to the start (${policy}; you paid ${formatMoney(booking.price)}).`;
}

/**
 * A confirm step in a booking's panel: `intro` (nodes), Yes/No; Yes runs `send()` and shows
 * `done(answer)`, then refreshes the list; a refusal is shown and Yes can be pressed again.
 */
function confirmInPanel(panel, { label, intro, yesLabel, noLabel, send, done, failTitle, refresh, focus }) {
  const yes = h('button', { type: 'submit', class: 'button small danger' }, yesLabel);
  const no = h('button', { type: 'button', class: 'button small secondary' }, noLabel);
  const problems = h('div');
  const form = h('form', { class: 'inline-form', 'aria-label': label }, intro, problems, h('div', { class: 'actions' }, yes, no));
  no.addEventListener('click', () => replace(panel));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    yes.disabled = true;
    try {
      const answer = await send();
      replace(panel, h('p', { class: 'notice success', role: 'status' }, done(answer)));
      setTimeout(refresh, 1500);
    } catch (error) {
      yes.disabled = false;
      replace(problems, errorBox(error, { title: failTitle }));
    }
  });
  replace(panel, form);
  (focus || yes).focus();
}

async function showCancel(app, booking, panel, refresh, role) {
  // Read the booking again: refundIfCancelledNow depends on the moment, and the list may be old.
  replace(panel, spinner('Checking what a cancellation refunds…'));
  let current = booking;
  try {
    current = await app.api.get(`/bookings/${enc(booking.bookingId)}`, { query: { tz: app.tz } });
  } catch (error) {
    replace(panel, errorBox(error, { title: 'Cannot cancel: ' }));
    return;
  }
  const reason = h('input', { name: 'reason', type: 'text', maxlength: '500' });
  const preview = refundPreview(current, role);
  const held = current.status === 'held';
  confirmInPanel(panel, {
    label: 'Cancel this session',
    intro: [
      h('p', {}, h('strong', {}, held ? 'Release this hold?' : 'Cancel this session?'), ' Both of you get an email with the cancellation.'),
      preview ? h('p', { class: 'refund-preview notice info' }, preview) : null,
      field('Reason (optional)', reason),
    ],
    yesLabel: held ? 'Yes, release it' : 'Yes, cancel it',
    noLabel: 'Keep it',
    send: () => {
      const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
      return app.api.post(`/bookings/${enc(booking.bookingId)}/cancel`, body, { query: { tz: app.tz } });
    },
    done: (cancelled) => {
      const outcome = settlementText(cancelled, role);
      return cancelled.status === 'released' ? 'Released.' : `Cancelled. ${outcome ? `${outcome}.` : ''}`;
    },
    failTitle: 'Not cancelled: ',
    refresh,
    focus: reason,
  });
}

function showNoShow(app, booking, panel, refresh, role, absent) {
  const name = partyName(booking, absent, role);
  const consequence = absent === 'mentor'
    ? `You are refunded in full (${formatMoney(booking.price)}).`
    : `${booking.menteeName} is refunded nothing.`;
  confirmInPanel(panel, {
    label: 'Report a no-show',
    intro: h('p', {}, h('strong', {}, `Report that ${name} did not attend?`), ` ${consequence} This can be reported once, until 48 hours after the end.`),
    yesLabel: `Yes, ${name} did not come`,
    noLabel: 'Never mind',
    send: () => app.api.post(`/bookings/${enc(booking.bookingId)}/no-show`, { absent }, { query: { tz: app.tz } }),
    done: (marked) => `Recorded. ${settlementText(marked, role)}.`,
    failTitle: 'Not recorded: ',
    refresh,
  });
}

async function showReschedule(app, booking, panel, refresh) {
  replace(panel, spinner('Loading open times…'));
  let availability;
  try {
    availability = await loadAvailability(app, booking.mentorId);
  } catch (error) {
    replace(panel, errorBox(error));
    return;
  }
  const days = startsFor(availability.slots, booking.durationMinutes).map(([day, slots]) => [
    day,
    slots.filter((slot) => slot.start !== booking.start),
  ]).filter(([, slots]) => slots.length);
  if (!days.length) {
    replace(panel, h('p', { class: 'notice info', role: 'status' }, `${booking.mentorName} has no other open ${booking.durationMinutes}-minute time in the next 30 days.`));
    return;
  }
  const choice = h(
    'select',
    { name: 'start' },
    days.map(([day, slots]) =>
      h('optgroup', { label: formatDay(day) }, slots.map((slot) => h('option', { value: slot.start }, `${formatDay(day)}, ${formatTime(slot.start, availability.timezone)}`))),
    ),
  );
  const submit = h('button', { type: 'submit', class: 'button small' }, 'Move the session');
  const cancel = h('button', { type: 'button', class: 'button small secondary' }, 'Never mind');
  const problems = h('div');
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Reschedule this session' },
    field(`New start time (${availability.timezone.replace(/_/g, ' ')}, ${booking.durationMinutes} minutes)`, choice),
    problems,
    h('div', { class: 'actions' }, submit, cancel),
  );
  cancel.addEventListener('click', () => replace(panel));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const moved = await app.api.post(`/bookings/${enc(booking.bookingId)}/reschedule`, { start: choice.value });
      replace(panel, h('p', { class: 'notice success', role: 'status' }, `Moved to ${formatDateTime(moved.start, app.tz)}.`));
      setTimeout(refresh, 800);
    } catch (error) {
      submit.disabled = false;
      replace(problems, errorBox(error, { title: 'Not moved: ' }));
    }
  });
  replace(panel, form);
  choice.focus();
}

function showReview(app, booking, panel) {
  const name = uid('rating');
  const stars = h(
    'fieldset',
    { class: 'rating' },
    h('legend', {}, 'Rating'),
    [5, 4, 3, 2, 1].map((value) =>
      h('label', { class: 'choice' }, h('input', { type: 'radio', name, value: String(value), required: true }), ` ${'★'.repeat(value)} ${value}`),
    ),
  );
  const comment = h('textarea', { name: 'comment', rows: '4', maxlength: String(COMMENT_MAX) });
  const count = h('span');
  const problems = h('div');
  const submit = h('button', { type: 'submit', class: 'button small' }, 'Send review');
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Review this session', novalidate: true },
    stars,
    field('Comment', comment, { hint: count }),
    problems,
    h('div', { class: 'actions' }, submit),
  );
  const updateCount = () => {
    count.textContent = `${trimmedLength(comment.value)} / ${COMMENT_MAX.toLocaleString('en-US')} characters`;
  };
  comment.addEventListener('input', updateCount);
  updateCount();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const rating = Number(new FormData(form).get(name));
    if (!rating) {
      replace(problems, errorBox({ message: 'Choose a rating from 1 to 5 stars.' }, { title: 'Not sent: ' }));
      return;
    }
    submit.disabled = true;
    try {
      await app.api.post(`/bookings/${enc(booking.bookingId)}/review`, { rating, comment: comment.value.trim() });
      replace(panel, h('p', { class: 'notice success', role: 'status' }, 'Thank you: your review is published.'));
    } catch (error) {
      submit.disabled = false;
      replace(problems, errorBox(error, { title: 'Review not sent: ' }));
    }
  });
  replace(panel, form);
  stars.querySelector('input')?.focus();
}

/** A paged list of GET /me/bookings for `role` and `scope`, into `container`. */
export async function bookingList(view, container, { role, scope }) {
  const { app } = view;
  let cursor = null;
  const list = h('ul', { class: 'cards single', 'aria-label': scope === 'past' ? 'Past sessions' : 'Upcoming sessions' });
  const more = h('button', { type: 'button', class: 'button secondary' }, 'Load more');
  const status = h('p', { class: 'result-count', role: 'status' });
  const refresh = () => view.alive() && bookingList(view, container, { role, scope });

  async function load() {
    more.disabled = true;
    let page;
    try {
      page = await app.api.get('/me/bookings', { query: { role, scope, limit: 10, cursor, tz: app.tz } });
    } catch (error) {
      if (view.alive()) replace(container, errorBox(error, { title: 'Could not load sessions: ' }));
      return;
    }
    if (!view.alive()) return;
    cursor = page.nextCursor;
    list.append(...page.items.map((booking) => bookingItem(app, booking, { role, refresh })));
    const total = list.children.length;
    status.textContent = total
      ? `${total} ${scope} session${total === 1 ? '' : 's'}${cursor ? ' so far' : ''}.`
      : scope === 'past' ? 'No past sessions yet.' : 'No upcoming sessions.';
    more.disabled = false;
    more.hidden = !cursor;
  }
  more.addEventListener('click', load);
  replace(container, status, list, more);
  more.hidden = true;
  await load();
}

function scopeTabs(base, scope, scopes = [['upcoming', 'Upcoming'], ['past', 'Past']]) {
  return h(
    'nav',
    { class: 'tabs', 'aria-label': 'Which sessions' },
    scopes.map(([value, label]) =>
      h('a', { href: `${base}${base.includes('?') ? '&' : '?'}scope=${value}`, 'aria-current': value === scope ? 'page' : null }, label),
    ),
  );
}

export async function renderSessions(view) {
  const { app, query } = view;
  if (app.needsSignIn(view, 'see your sessions')) return;
  const scope = ['past', 'waitlist'].includes(query.get('scope')) ? query.get('scope') : 'upcoming';
  view.heading('My sessions');
  const container = h('div');
  view.mount(
    h('p', { class: 'muted' }, `Times in ${app.tz.replace(/_/g, ' ')}.`),
    scopeTabs('#/sessions', scope, [['upcoming', 'Upcoming'], ['past', 'Past'], ['waitlist', 'Waitlist']]),
    container,
  );
  if (scope === 'waitlist') await waitlistList(view, container);
  else await bookingList(view, container, { role: 'mentee', scope });
}

export async function renderBookingDetail(view) {
  const { app } = view;
  const [bookingId] = view.params;
  if (app.needsSignIn(view, 'see this booking')) return;
  view.heading('Session');
  view.mount(spinner());
  let booking;
  try {
    booking = await app.api.get(`/bookings/${enc(bookingId)}`, { query: { tz: app.tz } });
  } catch (error) {
    if (!view.alive()) return;
    view.heading('Session');
    view.mount(errorBox(error));
    return;
  }
  if (!view.alive()) return;
  view.heading(`Session with ${booking.menteeId === app.user.sub ? booking.mentorName : booking.menteeName}`);
  const role = booking.menteeId === app.user.sub ? 'mentee' : 'mentor';
  view.mount(h('ul', { class: 'cards single' }, bookingItem(app, booking, { role, refresh: () => app.navigate(window.location.hash) })));
}
