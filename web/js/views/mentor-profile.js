// A mentor's profile: bio, specialties, reviews, a 30-day calendar in the viewer's time zone
// (booked slots disabled), and the booking form (duration, price, topic) that places the hold.

import { enc } from '../api.js';
import { errorBox, field, h, notice, replace, spinner, uid } from '../dom.js';
import {
  addDays,
  canStartAt,
  dayInZone,
  DURATIONS,
  experienceLabel,
  formatDay,
  formatMoney,
  formatTime,
  initials,
  priceFor,
  ratingText,
  slotsByDay,
  supportedZones,
  policyLabel,
  policySummary,
  TOPIC_MAX,
  TOPIC_MIN,
  topicProblem,
  toUtcString,
  trimmedLength,
} from '../format.js';
import { applyAvailabilityChange } from '../live.js';
import { waitlistForm } from './waitlist.js';

const CALENDAR_DAYS = 30;
const LIVE_STATUS = {
  idle: '',
  connecting: 'Connecting to live updates…',
  live: 'Live: times taken or freed by others update here as it happens.',
  reconnecting: 'Live updates interrupted; reconnecting…',
  unavailable: 'Live updates are not available in this browser; times are checked when you book.',
};

export function zoneSelect(current, onChange, label = 'Show times in') {
  const control = h(
    'select',
    { name: 'tz' },
    supportedZones(current).map((zone) => h('option', { value: zone, selected: zone === current }, zone.replace(/_/g, ' '))),
  );
  control.addEventListener('change', () => onChange(control.value));
  return field(label, control);
}

function reviewItem(review) {
  return h(
    'li',
    { class: 'review' },
    h('p', { class: 'stars', 'aria-label': `${review.rating} out of 5 stars` }, '★'.repeat(review.rating) + '☆'.repeat(5 - review.rating)),
    h('blockquote', {}, review.comment || h('em', {}, 'No comment')),
    h('p', { class: 'muted' }, `${review.authorName} · `, h('time', { datetime: review.createdAt }, formatDay(review.createdAt.slice(0, 10), { month: 'short', day: 'numeric', year: 'numeric' }))),
  );
}

/** Open 30-minute starts of a mentor, for reschedule pickers: {day -> [Slot]} with `minutes` free. */
export function startsFor(slots, minutes) {
  return [...slotsByDay(slots)].map(([day, daySlots]) => [day, daySlots.filter((slot) => slot.available && canStartAt(slots, slot.start, minutes))])
    .filter(([, daySlots]) => daySlots.length);
}

export async function loadAvailability(app, mentorId, days = CALENDAR_DAYS) {
  const now = Date.now();
  return app.api.get(`/mentors/${enc(mentorId)}/availability`, {
    auth: false,
    query: { from: toUtcString(now), to: toUtcString(now + days * 86_400_000), tz: app.tz },
  });
}

export async function renderMentorProfile(view) {
  const { app } = view;
  const [mentorId] = view.params;
  view.heading('Mentor');
  view.mount(spinner('Loading the profile…'));
  let mentor;
  try {
    mentor = await app.api.get(`/mentors/${enc(mentorId)}`, { query: { tz: app.tz }, auth: false });
  } catch (error) {
    if (!view.alive()) return;
    view.heading('Mentor not available');
    view.mount(errorBox(error), h('p', {}, h('a', { href: '#/' }, 'Back to the directory')));
    return;
  }
  if (!view.alive()) return;
  view.heading(mentor.name);

  // ------------------------------------------------------------ profile
  const avatar = mentor.avatarUrl
    ? h('img', { class: 'avatar large', src: mentor.avatarUrl, alt: '', width: 80, height: 80 })
    : h('span', { class: 'avatar large', 'aria-hidden': 'true' }, initials(mentor.name));
  const profile = h(
    'section',
    { class: 'profile', 'aria-label': 'About' },
    h(
      'div',
      { class: 'card-head' },
      avatar,
      h(
        'div',
        {},
        h('p', { class: 'lead' }, `${mentor.jobTitle} at ${mentor.company}`),
        h('p', { class: 'muted' }, `${experienceLabel(mentor.experienceLevel)} · ${mentor.yearsOfExperience} years · ${ratingText(mentor)} · ${mentor.totalSessions} sessions`),
        h('p', {}, h('strong', {}, `${formatMoney(mentor.hourlyRate)} per hour`), ` · Mentor's time zone: ${mentor.timezone.replace(/_/g, ' ')}`),
        mentor.cancellationPolicy
          ? h('p', { class: 'policy-line' }, h('strong', {}, `${policyLabel(mentor.cancellationPolicy)} cancellation policy: `), policySummary(mentor.cancellationPolicy))
          : null,
      ),
    ),
    h('h2', {}, 'About'),
    h('p', { class: 'bio' }, mentor.bio),
    mentor.specialties?.length
      ? [h('h2', {}, 'Specialties'), h('ul', { class: 'chips', 'aria-label': 'Specialties' }, mentor.specialties.map((item) => h('li', {}, item)))]
      : null,
  );

  // ------------------------------------------------------------ reviews
  const reviewList = h('ul', { class: 'reviews' }, mentor.reviews.map(reviewItem));
  const shown = new Set(mentor.reviews.map((review) => review.reviewId));
  const reviewsSection = h(
    'section',
    { 'aria-labelledby': 'reviews-heading' },
    h('h2', { id: 'reviews-heading' }, `Reviews (${mentor.reviewCount})`),
    mentor.reviews.length ? reviewList : h('p', { class: 'muted' }, 'No reviews yet.'),
  );
  if (mentor.reviewCount > mentor.reviews.length) {
    let cursor = null;
    const more = h('button', { type: 'button', class: 'button secondary' }, 'More reviews');
    const moreError = h('div');
    more.addEventListener('click', async () => {
      more.disabled = true;
      try {
        do {
          const page = await app.api.get(`/mentors/${enc(mentorId)}/reviews`, { auth: false, query: { limit: 10, cursor } });
          cursor = page.nextCursor;
          const fresh = page.items.filter((review) => !shown.has(review.reviewId));
          fresh.forEach((review) => shown.add(review.reviewId));
          reviewList.append(...fresh.map(reviewItem));
          if (fresh.length) break;
        } while (cursor);
        more.disabled = !cursor;
        if (!cursor) more.remove();
      } catch (error) {
        replace(moreError, errorBox(error));
        more.disabled = false;
      }
    });
    reviewsSection.append(more, moreError);
  }

  // ------------------------------------------------------------ calendar and booking
  let slots = mentor.availability.slots;
  let zone = mentor.availability.timezone;
  const draft = app.draft?.mentorId === mentorId ? app.draft : null;
  let selectedStart = draft?.start || null;
  let duration = draft?.duration || 60;
  let topic = draft?.topic || '';
  let selectedDay = null;

  const messages = h('div', { class: 'booking-messages' });
  const calendar = h('div', { class: 'calendar', role: 'group', 'aria-label': 'Days' });
  const dayPanel = h('div', { class: 'day-panel' });
  const formSlot = h('div', { class: 'booking-form-slot' });
  const liveStatus = h('p', { class: 'live-status muted', role: 'status' });
  let syncForm = null; // set by drawForm: brings the open form up to date with `slots`
  const waitlistForms = new Map(); // day -> its waitlist form, kept across redraws (live updates)
  const calendarHeading = h('h2', { id: 'book-heading' }, 'Book a session');

  const bookingSection = h(
    'section',
    { class: 'booking', 'aria-labelledby': 'book-heading' },
    calendarHeading,
    h('p', { class: 'muted' }, 'Sessions are 30, 60 or 90 minutes. Pick a day, then a start time.'),
    zoneSelect(app.tz, async (value) => {
      app.setTimeZone(value);
      replace(messages, spinner('Updating times…'));
      try {
        const fresh = await loadAvailability(app, mentorId);
        if (!view.alive()) return;
        slots = fresh.slots;
        zone = fresh.timezone;
        selectedDay = null;
        replace(messages);
        drawCalendar();
      } catch (error) {
        replace(messages, errorBox(error));
      }
    }),
    liveStatus,
    messages,
    calendar,
    dayPanel,
    formSlot,
  );

  view.mount(h('div', { class: 'profile-layout' }, h('div', {}, profile, reviewsSection), bookingSection));

  function slotAt(start) {
    return slots.find((slot) => slot.start === start) || null;
  }

  /**
   * Draw the days, the chosen day's times and the form from `slots`. `live`: an update pushed
   * while the person may be mid-way (keep focus where it was, keep the form and its topic).
   */
  function drawCalendar({ live = false } = {}) {
    const byDay = slotsByDay(slots);
    const today = dayInZone(Date.now(), zone);
    const focused = document.activeElement;
    const refocus = calendar.contains(focused)
      ? `.calendar [data-day="${focused.dataset.day}"]`
      : dayPanel.contains(focused) && focused.dataset.start
        ? `.slots [data-start="${focused.dataset.start}"]`
        : null;
    if (selectedStart && !slotAt(selectedStart)?.available) {
      if (live) {
        replace(
          messages,
          notice(
            `Someone else has just taken ${formatTime(selectedStart, zone)} on ${formatDay(slotAt(selectedStart)?.localStart.slice(0, 10) || selectedDay)}. Choose another time; your topic is kept.`,
            'warning',
            'alert',
          ),
        );
      }
      selectedStart = null;
    }
    if (!selectedDay || !byDay.has(selectedDay)) {
      selectedDay = selectedStart
        ? slotAt(selectedStart).localStart.slice(0, 10)
        : [...byDay].find(([, daySlots]) => daySlots.some((slot) => slot.available))?.[0] || today;
    }
    const buttons = [];
    for (let offset = 0; offset <= CALENDAR_DAYS; offset += 1) {
      const day = addDays(today, offset);
      const daySlots = byDay.get(day) || [];
      const open = daySlots.filter((slot) => slot.available).length;
      const label = `${formatDay(day, { weekday: 'long', month: 'long', day: 'numeric' })}: ${open ? `${open} open` : 'no open'} time${open === 1 ? '' : 's'}`;
      const button = h(
        'button',
        {
          type: 'button',
          class: `day${open ? ' has-open' : ''}`,
          'aria-pressed': String(day === selectedDay),
          'aria-label': label,
          disabled: !daySlots.length,
          dataset: { day },
        },
        h('span', { class: 'dow' }, formatDay(day, { weekday: 'short' })),
        h('span', { class: 'dom' }, formatDay(day, { day: 'numeric' })),
        h('span', { class: 'mon' }, formatDay(day, { month: 'short' })),
        h('span', { class: 'count' }, open ? `${open} open` : daySlots.length ? 'full' : '–'),
      );
      button.addEventListener('click', () => {
        selectedDay = day;
        drawCalendar();
        calendar.querySelector(`[data-day="${day}"]`)?.focus();
      });
      buttons.push(button);
    }
    replace(calendar, buttons);
    drawDay(byDay.get(selectedDay) || []);
    if (live && selectedStart && syncForm) syncForm();
    else drawForm();
    if (refocus) {
      const target = bookingSection.querySelector(refocus);
      const fallback = dayPanel.querySelector('h3');
      if (target && !target.disabled) target.focus();
      else if (fallback) {
        // The focused time was just taken (and disabled): focus stays in the day, not on <body>.
        fallback.setAttribute('tabindex', '-1');
        fallback.focus();
      }
    }
  }

  async function readAgain() {
    try {
      const fresh = await loadAvailability(app, mentorId);
      if (!view.alive()) return;
      slots = fresh.slots;
      zone = fresh.timezone;
      drawCalendar({ live: true });
    } catch {
      /* keep what is shown; the next change or a booking attempt tells the truth */
    }
  }

  /**
   * readAgain() within a second, once for any number of calls meanwhile: the tabs that get the
   * same message do not all read at the same moment.
   */
  let readPending = null;
  function readAgainSoon() {
    readPending ||= setTimeout(() => {
      readPending = null;
      if (view.alive()) readAgain();
    }, Math.random() * 1000);
  }

  function showLiveStatus(status) {
    bookingSection.dataset.live = status;
    liveStatus.textContent = LIVE_STATUS[status] ?? '';
  }

  function drawDay(daySlots) {
    const title = formatDay(selectedDay, { weekday: 'long', month: 'long', day: 'numeric' });
    if (!daySlots.length) {
      replace(dayPanel, h('h3', {}, title), h('p', { class: 'muted' }, 'No times on this day.'));
      return;
    }
    const buttons = daySlots.map((slot) => {
      const time = formatTime(slot.start, zone);
      const button = h(
        'button',
        {
          type: 'button',
          class: 'slot',
          disabled: !slot.available,
          'aria-pressed': String(slot.start === selectedStart),
          'aria-label': slot.available ? time : `${time}, booked`,
          dataset: { start: slot.start },
        },
        time,
        slot.available ? null : h('span', { class: 'slot-note', 'aria-hidden': 'true' }, ' booked'),
      );
      button.addEventListener('click', () => {
        selectedStart = slot.start;
        if (!canStartAt(slots, selectedStart, duration)) duration = DURATIONS.find((m) => canStartAt(slots, selectedStart, m)) || 30;
        drawDay(daySlots);
        drawForm();
        dayPanel.querySelector(`[data-start="${slot.start}"]`)?.focus();
      });
      return button;
    });
    const full = !daySlots.some((slot) => slot.available);
    if (full && !waitlistForms.has(selectedDay)) waitlistForms.set(selectedDay, waitlistForm(app, mentor, selectedDay, zone, topic));
    replace(
      dayPanel,
      h('h3', {}, title),
      h('div', { class: 'slots', role: 'group', 'aria-label': `Start times on ${title} (${zone.replace(/_/g, ' ')})` }, buttons),
      full ? waitlistForms.get(selectedDay) : null,
    );
  }

  function drawForm() {
    syncForm = null;
    if (!selectedStart) {
      replace(formSlot, h('p', { class: 'muted' }, 'Choose a start time to continue.'));
      return;
    }
    const rate = mentor.hourlyRate;
    const summary = h('p', { class: 'price-summary', role: 'status', 'aria-live': 'polite' });
    const topicId = uid('topic');
    const counter = h('p', { class: 'hint', id: `${topicId}-count` });
    const topicError = h('p', { class: 'field-error', id: `${topicId}-error` });
    const topicInput = h('textarea', {
      name: 'topic',
      rows: '4',
      'aria-describedby': `${topicId}-count ${topicId}-error`,
    });
    topicInput.value = topic;
    const formErrors = h('div');

    function update() {
      const end = new Date(Date.parse(selectedStart) + duration * 60_000).toISOString();
      const price = { amount: priceFor(rate.amount, duration), currency: rate.currency };
      replace(
        summary,
        `${formatDay(slotAt(selectedStart).localStart.slice(0, 10), { weekday: 'short', month: 'short', day: 'numeric' })}, `,
        `${formatTime(selectedStart, zone)} – ${formatTime(end, zone)} · ${duration} minutes · `,
        h('strong', { class: 'price' }, `Total ${formatMoney(price)}`),
      );
      const length = trimmedLength(topic);
      counter.textContent = `${length} / ${TOPIC_MAX.toLocaleString('en-US')} characters (at least ${TOPIC_MIN})`;
      counter.classList.toggle('too-short', length < TOPIC_MIN);
      app.draft = { mentorId, start: selectedStart, duration, topic };
    }

    const makeDurations = () => h(
      'fieldset',
      { class: 'durations' },
      h('legend', {}, 'Length'),
      DURATIONS.map((minutes) => {
        const possible = canStartAt(slots, selectedStart, minutes);
        const input = h('input', { type: 'radio', name: 'duration', value: String(minutes), checked: minutes === duration, disabled: !possible });
        input.addEventListener('change', () => {
          duration = minutes;
          update();
        });
        return h(
          'label',
          { class: `choice${possible ? '' : ' unavailable'}` },
          input,
          ` ${minutes} min · ${formatMoney({ amount: priceFor(rate.amount, minutes), currency: rate.currency })}`,
          possible ? null : h('span', { class: 'muted' }, ' (not free)'),
        );
      }),
    );
    let durations = makeDurations();
    syncForm = () => {
      // A live change may have taken the time after the chosen start: shorten to what still fits.
      if (!canStartAt(slots, selectedStart, duration)) duration = DURATIONS.find((m) => canStartAt(slots, selectedStart, m)) || 30;
      const fresh = makeDurations();
      durations.replaceWith(fresh);
      durations = fresh;
      update();
    };
    topicInput.addEventListener('input', () => {
      topic = topicInput.value;
      if (topicError.textContent && !topicProblem(topic)) {
        topicError.textContent = '';
        topicInput.removeAttribute('aria-invalid');
      }
      update();
    });

    const submit = h('button', { type: 'submit', class: 'button' }, 'Continue to payment');
    const form = h(
      'form',
      { class: 'booking-form', novalidate: true, 'aria-label': 'Booking details' },
      durations,
      summary,
      h('div', { class: 'field' }, h('label', { for: topicId }, 'What would you like to talk about?'), Object.assign(topicInput, { id: topicId }), counter, topicError),
      formErrors,
      h('div', { class: 'actions' }, submit),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      replace(formErrors);
      const problem = topicProblem(topic);
      if (problem) {
        topicError.textContent = problem;
        topicInput.setAttribute('aria-invalid', 'true');
        topicInput.focus();
        return;
      }
      if (!app.signedIn) {
        replace(
          formErrors,
          h(
            'div',
            { class: 'notice warning', role: 'alert' },
            'Sign in to book this time. Your choice is kept. ',
            h('button', { type: 'button', class: 'button small', onclick: () => app.signIn() }, 'Sign in'),
          ),
        );
        return;
      }
      const body = { mentorId, start: selectedStart, durationMinutes: duration, topic: topic.trim(), timezone: app.tz };
      submit.disabled = true;
      submit.textContent = 'Holding your time…';
      try {
        const booking = await app.api.post('/bookings', body, { idempotencyKey: app.keys.for('hold', body) });
        app.bookings.set(booking.bookingId, booking);
        app.draft = null;
        app.navigate(`#/checkout/${encodeURIComponent(booking.bookingId)}`);
      } catch (error) {
        if (!view.alive()) return;
        submit.disabled = false;
        submit.textContent = 'Continue to payment';
        if (error.code === 'slot_unavailable') {
          // Someone else holds or booked it: say so, and show the calendar as it is now.
          replace(messages, errorBox(error, { title: 'That time was just taken: ' }));
          try {
            slots = (await loadAvailability(app, mentorId)).slots;
          } catch {
            /* keep the old calendar; the error above says what happened */
          }
          if (!view.alive()) return;
          drawCalendar();
          messages.scrollIntoView?.({ block: 'nearest' });
        } else {
          replace(formErrors, errorBox(error, { title: 'Could not hold this time: ' }));
        }
      }
    });
    replace(formSlot, form);
    update();
  }

  drawCalendar();

  // Live availability: grey out what others take and free what they release, without a reload.
  const stopWatching = app.live.watch(mentorId, {
    onStatus: showLiveStatus,
    onReconnect: readAgain,
    onChange(changes) {
      if (!view.alive()) return;
      const result = applyAvailabilityChange(slots, changes);
      slots = result.slots;
      if (result.changed.length) drawCalendar({ live: true });
      if (result.unknown.length || result.stale) readAgainSoon();
    },
  });
  view.onLeave(stopWatching);
}
