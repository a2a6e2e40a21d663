// Checkout: the 5-minute hold counting down from holdExpiresAt, a mock card (pm_card_visa or
// pm_card_chargeDeclined) sent to POST /bookings/{id}/confirm, and the outcome: the meeting
// link, or the error (a declined card frees the time again).

import { enc } from '../api.js';
import { errorBox, field, h, replace, spinner } from '../dom.js';
import { countdown, formatDateTime, formatMoney, formatTime, policyLabel, policySummary, refundDeadlines } from '../format.js';

const PAYMENT_METHODS = [
  ['pm_card_visa', 'Test Visa card (payment succeeds)'],
  ['pm_card_chargeDeclined', 'Test card that is declined'],
];

export function bookingSummary(booking, zone) {
  return h(
    'dl',
    { class: 'summary' },
    h('div', {}, h('dt', {}, 'Mentor'), h('dd', {}, booking.mentorName)),
    h('div', {}, h('dt', {}, 'When'), h('dd', {}, `${formatDateTime(booking.start, zone)} – ${formatTime(booking.end, zone)}`, h('span', { class: 'muted' }, ` (${zone.replace(/_/g, ' ')})`))),
    h('div', {}, h('dt', {}, 'Length'), h('dd', {}, `${booking.durationMinutes} minutes`)),
    h('div', {}, h('dt', {}, 'Topic'), h('dd', {}, booking.topic)),
    h('div', {}, h('dt', {}, 'Price'), h('dd', {}, h('strong', {}, formatMoney(booking.price)))),
  );
}

/** The booking's cancellation policy with its deadlines for this session, in `zone`. */
export function policyBox(booking, zone) {
  const policy = booking.cancellationPolicy;
  if (!policy) return null;
  const shares = { full: 'Full refund', half: 'Half refund' };
  const deadlines = refundDeadlines(policy, booking.start).filter((tier) => Date.parse(tier.until) > Date.now());
  return h(
    'section',
    { class: 'policy', 'aria-labelledby': 'policy-heading' },
    h('h2', { id: 'policy-heading' }, `Cancellation policy: ${policyLabel(policy)}`),
    h('p', {}, policySummary(policy)),
    h(
      'ul',
      { class: 'policy-deadlines' },
      deadlines.length
        ? deadlines.map((tier) =>
            h('li', { dataset: { share: tier.share } }, `${shares[tier.share]} if you cancel by `, h('time', { datetime: tier.until }, formatDateTime(tier.until, zone)), '.'),
          )
        : h('li', {}, 'The session is too close for a refund: if you cancel, nothing is refunded.'),
      h('li', {}, 'If the mentor cancels, you get everything back, whenever they do.'),
    ),
  );
}

function confirmed(view, booking) {
  const { app } = view;
  view.heading('You are booked');
  view.mount(
    h(
      'div',
      { class: 'notice success', role: 'status' },
      h('p', {}, h('strong', {}, `Your session with ${booking.mentorName} is confirmed.`), ' A confirmation email with a calendar invite is on its way.'),
      booking.meetingUrl
        ? h('p', {}, 'Meeting link: ', h('a', { href: booking.meetingUrl, target: '_blank', rel: 'noopener noreferrer', class: 'meeting-link' }, booking.meetingUrl))
        : null,
    ),
    bookingSummary(booking, app.tz),
    policyBox(booking, app.tz),
    h('p', { class: 'actions' }, h('a', { class: 'button', href: '#/sessions' }, 'See my sessions'), h('a', { class: 'button secondary', href: '#/' }, 'Find another mentor')),
  );
}

export async function renderCheckout(view) {
  const { app } = view;
  const [bookingId] = view.params;
  if (app.needsSignIn(view, 'pay for your session')) return;
  view.heading('Checkout');
  let booking = app.bookings.get(bookingId);
  if (!booking) {
    view.mount(spinner('Loading your booking…'));
    try {
      booking = await app.api.get(`/bookings/${enc(bookingId)}`, { query: { tz: app.tz } });
    } catch (error) {
      if (!view.alive()) return;
      view.heading('Checkout');
      view.mount(errorBox(error), h('p', {}, h('a', { href: '#/' }, 'Back to the directory')));
      return;
    }
    if (!view.alive()) return;
    view.heading('Checkout');
  }
  if (booking.status === 'confirmed') {
    confirmed(view, booking);
    return;
  }
  const backToMentor = h('a', { href: `#/mentors/${encodeURIComponent(booking.mentorId)}` }, `Back to ${booking.mentorName}'s calendar`);
  if (booking.status !== 'held') {
    view.mount(
      h('div', { class: 'notice warning', role: 'status' }, `This booking is ${booking.status.replace(/_/g, ' ')}; there is nothing to pay.`),
      h('p', {}, backToMentor),
    );
    return;
  }

  const timer = h('strong', { class: 'countdown', role: 'timer', 'aria-live': 'off' });
  const minuteAnnouncer = h('span', { class: 'visually-hidden', 'aria-live': 'polite' });
  const holdNote = h('div', { class: 'notice info hold' }, 'We are holding this time for you for ', timer, '.', minuteAnnouncer);
  const methodSelect = h('select', { name: 'paymentMethod' }, PAYMENT_METHODS.map(([value, label]) => h('option', { value }, label)));
  const payButton = h('button', { type: 'submit', class: 'button' }, `Pay ${formatMoney(booking.price)}`);
  const releaseButton = h('button', { type: 'button', class: 'button secondary' }, 'Cancel and release the time');
  const outcome = h('div', { class: 'outcome' });
  const form = h(
    'form',
    { class: 'payment', 'aria-label': 'Payment', novalidate: true },
    h('h2', {}, 'Payment'),
    field('Card (test mode)', methodSelect, { hint: 'No real payment is made: these are the mock gateway\'s test cards.' }),
    booking.cancellationPolicy ? h('p', { class: 'muted' }, `By paying you accept the ${policyLabel(booking.cancellationPolicy).toLowerCase()} cancellation policy above.`) : null,
    h('div', { class: 'actions' }, payButton, releaseButton),
  );
  // The policy is shown before the card: paying accepts it.
  view.mount(holdNote, bookingSummary(booking, app.tz), policyBox(booking, app.tz), form, outcome);

  let lastMinute = null;
  let ended = false;
  function tick() {
    const left = countdown(booking.holdExpiresAt);
    timer.textContent = left.text;
    timer.setAttribute('aria-label', `${Math.floor(left.seconds / 60)} minutes ${left.seconds % 60} seconds left`);
    const minute = Math.ceil(left.seconds / 60);
    if (minute !== lastMinute && left.seconds > 0) {
      lastMinute = minute;
      minuteAnnouncer.textContent = ` About ${minute} minute${minute === 1 ? '' : 's'} left.`;
    }
    if (left.seconds === 0 && !ended) {
      ended = true;
      clearInterval(interval);
      payButton.disabled = true;
      releaseButton.disabled = true;
      replace(holdNote, 'The hold has expired.');
      holdNote.className = 'notice warning';
      replace(outcome, h('div', { class: 'notice warning', role: 'alert' }, 'Your 5-minute hold has expired and the time is free again for everyone. ', backToMentor));
    }
  }
  const interval = setInterval(tick, 1000);
  view.onLeave(() => clearInterval(interval));
  tick();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { paymentMethod: methodSelect.value };
    payButton.disabled = true;
    releaseButton.disabled = true;
    payButton.textContent = 'Paying…';
    replace(outcome);
    try {
      const paid = await app.api.post(`/bookings/${enc(bookingId)}/confirm`, body, {
        idempotencyKey: app.keys.for(`confirm ${bookingId}`, body),
      });
      clearInterval(interval);
      app.bookings.set(bookingId, paid);
      if (!view.alive()) return;
      confirmed(view, paid);
      view.app.main.querySelector('h1')?.focus();
    } catch (error) {
      if (!view.alive()) return;
      payButton.textContent = `Pay ${formatMoney(booking.price)}`;
      if (['payment_declined', 'hold_expired', 'invalid_state'].includes(error.code) || error.status === 409) {
        // The hold is over: a declined card released it; an expired one is free already.
        clearInterval(interval);
        ended = true;
        app.bookings.delete(bookingId);
        replace(holdNote, error.code === 'payment_declined' ? 'Payment declined: the time has been released.' : 'This hold is over.');
        holdNote.className = 'notice warning';
        replace(
          outcome,
          errorBox(error, { title: error.code === 'payment_declined' ? 'Payment declined: ' : 'Payment not taken: ' }),
          h('p', {}, 'The time is free again: you can choose it again with another card, or pick another time. ', backToMentor),
        );
      } else {
        payButton.disabled = false;
        releaseButton.disabled = false;
        replace(outcome, errorBox(error, { title: 'Payment not taken: ' }));
      }
    }
  });

  releaseButton.addEventListener('click', async () => {
    releaseButton.disabled = true;
    payButton.disabled = true;
    try {
      await app.api.post(`/bookings/${enc(bookingId)}/cancel`, { reason: 'released at checkout' });
      clearInterval(interval);
      app.bookings.delete(bookingId);
      app.navigate(`#/mentors/${encodeURIComponent(booking.mentorId)}`);
    } catch (error) {
      releaseButton.disabled = false;
      payButton.disabled = false;
      replace(outcome, errorBox(error, { title: 'Could not release the hold: ' }));
    }
  });
}
