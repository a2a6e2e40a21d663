// The waitlist (CONTRACT "Commitments"): join from a full day of a mentor's calendar
// (POST /mentors/{id}/waitlist), and "My sessions → Waitlist" (GET /me/waitlist, leave with
// DELETE /me/waitlist/{id}); an offer is a hold made for you, paid at the usual checkout.

import { enc } from '../api.js';
import { errorBox, h, replace, spinner, uid } from '../dom.js';
import { addDays, DURATIONS, formatDateTime, formatDay, topicProblem, toUtcString, zonedTimeToDate } from '../format.js';

const HALF_HOUR = 30 * 60_000;

/** The part of local day `day` in `zone` that is still ahead: [from, to) as instants (from on :00/:30). */
export function dayWindow(day, zone, nowMs = Date.now()) {
  const start = zonedTimeToDate(day, '00:00', zone).getTime();
  const end = zonedTimeToDate(addDays(day, 1), '00:00', zone).getTime();
  const from = Math.max(start, Math.ceil((nowMs + 1) / HALF_HOUR) * HALF_HOUR);
  return { from: toUtcString(from), to: toUtcString(end) };
}

/** "Join the waitlist" for a full day of `mentor`'s calendar, as the viewer sees it in `zone`. */
export function waitlistForm(app, mentor, day, zone, topic = '') {
  const title = formatDay(day, { weekday: 'long', month: 'long', day: 'numeric' });
  const topicId = uid('waitlist-topic');
  const length = h('select', { name: 'durationMinutes', id: `${topicId}-length` }, DURATIONS.map((minutes) => h('option', { value: String(minutes), selected: minutes === 60 }, `${minutes} minutes`)));
  const topicInput = h('textarea', { name: 'topic', id: topicId, rows: '3' });
  topicInput.value = topic;
  const outcome = h('div');
  const submit = h('button', { type: 'submit', class: 'button secondary' }, 'Join the waitlist');
  const form = h(
    'form',
    { class: 'waitlist-form inline-form', 'aria-label': `Waitlist for ${title}`, novalidate: true },
    h('h4', {}, `${title} is full`),
    h('p', { class: 'muted' }, `Wait for time that opens on this day: if someone cancels, a hold is made for you for 30 minutes and your inbox says so. First come, first served.`),
    h('div', { class: 'field' }, h('label', { for: `${topicId}-length` }, 'Length'), length),
    h('div', { class: 'field' }, h('label', { for: topicId }, 'What would you like to talk about?'), topicInput),
    outcome,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problem = topicProblem(topicInput.value);
    if (problem) {
      replace(outcome, errorBox({ message: problem }, { title: 'Not joined: ' }));
      topicInput.focus();
      return;
    }
    if (!app.signedIn) {
      replace(outcome, h('div', { class: 'notice warning', role: 'alert' }, 'Sign in to join the waitlist. ', h('button', { type: 'button', class: 'button small', onclick: () => app.signIn() }, 'Sign in')));
      return;
    }
    submit.disabled = true;
    try {
      const { from, to } = dayWindow(day, zone);
      const entry = await app.api.post(
        `/mentors/${enc(mentor.mentorId)}/waitlist`,
        { from, to, durationMinutes: Number(length.value), topic: topicInput.value.trim() },
        { query: { tz: app.tz } },
      );
      replace(
        form,
        h(
          'div',
          { class: 'notice success', role: 'status' },
          `You are on ${mentor.name}'s waitlist for ${title} (${entry.durationMinutes} minutes). `,
          h('a', { href: '#/sessions?scope=waitlist' }, 'See your waitlist'),
          '.',
        ),
      );
    } catch (error) {
      submit.disabled = false;
      replace(outcome, errorBox(error, { title: 'Not joined: ' }));
    }
  });
  return form;
}

const STATUS = {
  waiting: ['Waiting', 'open'],
  offered: ['Offered', 'confirmed'],
  expired: ['Expired', 'expired'],
};

function entryItem(app, entry, mentorName, refresh) {
  const [label, badge] = STATUS[entry.status] || [entry.status, 'expired'];
  const actions = h('div', { class: 'actions' });
  const problems = h('div');
  const headingId = uid('waitlist');
  if (entry.status === 'offered' && entry.bookingId) {
    actions.append(h('a', { class: 'button small', href: `#/bookings/${encodeURIComponent(entry.bookingId)}` }, 'See the offer'));
  }
  if (entry.status === 'waiting') {
    const leave = h('button', { type: 'button', class: 'button small secondary' }, 'Leave the waitlist');
    leave.addEventListener('click', async () => {
      leave.disabled = true;
      try {
        await app.api.delete(`/me/waitlist/${enc(entry.waitlistId)}`);
        refresh();
      } catch (error) {
        leave.disabled = false;
        replace(problems, errorBox(error, { title: 'Still waiting: ' }));
      }
    });
    actions.append(leave);
  }
  return h(
    'li',
    { class: `card waitlist-item status-${entry.status}`, dataset: { waitlistId: entry.waitlistId, status: entry.status } },
    h(
      'article',
      { 'aria-labelledby': headingId },
      h('h3', { id: headingId }, h('a', { href: `#/mentors/${encodeURIComponent(entry.mentorId)}` }, mentorName), ' ', h('span', { class: `badge ${badge}` }, label)),
      h('p', {}, `${entry.durationMinutes} minutes between ${formatDateTime(entry.from, app.tz)} and ${formatDateTime(entry.to, app.tz)}`),
      entry.topic ? h('p', { class: 'topic' }, entry.topic) : null,
      entry.status === 'offered' ? h('p', { class: 'notice success' }, 'Time opened up and a session was held for you: see the offer to pay for it before its hold ends.') : null,
      problems,
      actions,
    ),
  );
}

/** "My sessions → Waitlist": every entry, with the offers first to act on. */
export async function waitlistList(view, container) {
  const { app } = view;
  replace(container, spinner('Loading your waitlist…'));
  let answer;
  try {
    answer = await app.api.get('/me/waitlist', { query: { tz: app.tz } });
  } catch (error) {
    if (view.alive()) replace(container, errorBox(error, { title: 'Could not load your waitlist: ' }));
    return;
  }
  // The entries name mentors by id: their names come from the public profiles (a few at most).
  const names = new Map();
  await Promise.all(
    [...new Set(answer.items.map((entry) => entry.mentorId))].map(async (mentorId) => {
      try {
        names.set(mentorId, (await app.api.get(`/mentors/${enc(mentorId)}`, { auth: false })).name);
      } catch {
        names.set(mentorId, 'A mentor');
      }
    }),
  );
  if (!view.alive()) return;
  const refresh = () => view.alive() && waitlistList(view, container);
  replace(
    container,
    h('p', { class: 'result-count', role: 'status' }, answer.items.length ? `${answer.items.length} waitlist entr${answer.items.length === 1 ? 'y' : 'ies'}.` : 'You are on no waitlist.'),
    h('ul', { class: 'cards single', 'aria-label': 'Waitlist' }, answer.items.map((entry) => entryItem(app, entry, names.get(entry.mentorId), refresh))),
  );
}
