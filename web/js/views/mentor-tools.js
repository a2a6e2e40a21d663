// Mentor tools: the profile and settings (GET and PUT /mentors/me), availability (publish with
// POST /mentors/me/availability, remove with DELETE /mentors/me/availability/{start}) and the
// bookings dashboard (GET /me/bookings?role=mentor).

import { enc, nullIfNotFound } from '../api.js';
import { errorBox, field, h, replace, spinner } from '../dom.js';
import {
  CANCELLATION_POLICIES,
  dayInZone,
  dollarsToMinor,
  formatDay,
  formatTime,
  minorToDollars,
  policySummary,
  slotsByDay,
  supportedZones,
  toUtcString,
  zonedTimeToDate,
} from '../format.js';
import { calendarsTab, scheduleTab } from './mentor-schedule.js';
import { bookingList } from './sessions.js';

const TABS = [
  ['profile', 'Profile and settings'],
  ['schedule', 'Weekly schedule'],
  ['availability', 'Availability'],
  ['calendars', 'Calendars'],
  ['bookings', 'Bookings'],
];
/** Your own profile, with the settings only you see (GET /mentors/me); null before you create one. */
function myProfile(app) {
  return nullIfNotFound(app.api.get('/mentors/me'));
}

/**
 * Shows a spinner, then resolves to your profile (null when you have none yet), or to undefined
 * when loading failed (the error is shown instead) or the view has been left meanwhile.
 */
async function loadMyProfile(view, container, waiting) {
  replace(container, spinner(waiting));
  try {
    const profile = await myProfile(view.app);
    return view.alive() ? profile : undefined;
  } catch (error) {
    replace(container, errorBox(error));
    return undefined;
  }
}

function zoneOptions(current) {
  return supportedZones(current).map((zone) => h('option', { value: zone, selected: zone === current }, zone.replace(/_/g, ' ')));
}

async function profileTab(view, container) {
  const { app } = view;
  const profile = await loadMyProfile(view, container, 'Loading your profile…');
  if (profile === undefined) return;
  const values = {
    company: profile?.company || '',
    jobTitle: profile?.jobTitle || '',
    bio: profile?.bio || '',
    specialties: (profile?.specialties || []).join(', '),
    yearsOfExperience: profile?.yearsOfExperience ?? '',
    rate: profile ? minorToDollars(profile.hourlyRate.amount) : '',
    timezone: profile?.timezone || app.user.zoneinfo || app.tz,
    avatarUrl: profile?.avatarUrl || '',
    videoProvider: profile?.videoProvider || 'generated',
    manualMeetingUrl: profile?.manualMeetingUrl || '',
    cancellationPolicy: profile?.cancellationPolicy || 'moderate',
  };
  const input = (name, attributes = {}) => h('input', { name, value: values[name], ...attributes });
  const manualUrl = input('manualMeetingUrl', { type: 'url', placeholder: 'https://…', inputmode: 'url' });
  const manualField = field('Your meeting URL', manualUrl, { hint: 'Every session uses this link.' });
  const provider = (value, label) =>
    h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'videoProvider', value, checked: values.videoProvider === value }), ` ${label}`);
  const results = h('div');
  const form = h(
    'form',
    { class: 'stacked', 'aria-label': 'Mentor profile', novalidate: true },
    profile
      ? h('p', { class: 'muted' }, 'Your public profile: ', h('a', { href: `#/mentors/${encodeURIComponent(app.user.sub)}` }, 'view it as mentees see it'), '.')
      : h('p', { class: 'notice info' }, 'You have no mentor profile yet. Fill this in to appear in the directory.'),
    h('p', { class: 'muted' }, `Name on your profile: ${app.user.name} (from your sign-in).`),
    field('Job title', input('jobTitle', { required: true, maxlength: '120' })),
    field('Company', input('company', { required: true, maxlength: '120' })),
    field('Years of experience', input('yearsOfExperience', { type: 'number', min: '0', max: '70', step: '1', required: true })),
    field('Hourly rate (US$)', input('rate', { type: 'number', min: '1', step: '1', inputmode: 'decimal', required: true })),
    field('Your time zone', h('select', { name: 'timezone' }, zoneOptions(values.timezone))),
    field('Bio', h('textarea', { name: 'bio', rows: '5', maxlength: '5000', required: true }, values.bio)),
    field('Specialties', input('specialties'), { hint: 'Separated by commas, e.g. "system design, hiring".' }),
    field(
      'Cancellation policy',
      h(
        'select',
        { name: 'cancellationPolicy' },
        Object.entries(CANCELLATION_POLICIES).map(([value, { label }]) =>
          h('option', { value, selected: value === values.cancellationPolicy }, `${label}: ${policySummary(value)}`),
        ),
      ),
      { hint: 'Shown to mentees before they pay. A booking keeps the policy it was made under; your own cancellations always refund in full.' },
    ),
    field('Photo URL (optional)', input('avatarUrl', { type: 'url', placeholder: 'https://…', inputmode: 'url' })),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Video calls'),
      provider('generated', 'A new private link for each session'),
      provider('manual', 'My own meeting room'),
      manualField,
    ),
    results,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, profile ? 'Save changes' : 'Create my mentor profile')),
  );
  const syncManual = () => {
    manualField.hidden = new FormData(form).get('videoProvider') !== 'manual';
  };
  form.addEventListener('change', syncManual);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const rate = dollarsToMinor(data.get('rate'));
    const years = Number(data.get('yearsOfExperience'));
    const body = {
      company: String(data.get('company')).trim(),
      jobTitle: String(data.get('jobTitle')).trim(),
      bio: String(data.get('bio')).trim(),
      specialties: String(data.get('specialties')).split(',').map((item) => item.trim()).filter(Boolean),
      yearsOfExperience: Number.isInteger(years) && String(data.get('yearsOfExperience')).trim() !== '' ? years : null,
      hourlyRate: { amount: Number.isNaN(rate) ? null : rate, currency: 'USD' },
      timezone: data.get('timezone'),
      avatarUrl: String(data.get('avatarUrl')).trim() || null,
      videoProvider: data.get('videoProvider') || 'generated',
      manualMeetingUrl: data.get('videoProvider') === 'manual' ? String(data.get('manualMeetingUrl')).trim() || null : null,
      cancellationPolicy: data.get('cancellationPolicy'),
    };
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    for (const marked of form.querySelectorAll('[aria-invalid]')) marked.removeAttribute('aria-invalid');
    try {
      const saved = await app.api.put('/mentors/me', body);
      replace(results, h('div', { class: 'notice success', role: 'status' }, `Saved. Your rate is now ${minorToDollars(saved.hourlyRate.amount)} US$ per hour.`));
    } catch (error) {
      replace(results, errorBox(error, { title: 'Not saved: ' }));
      // Mark the controls the API named (body.hourlyRate.amount -> the rate input, ...).
      for (const detail of error.details || []) {
        const name = String(detail.field || '').replace(/^body\./, '').split('.')[0];
        const control = form.elements.namedItem(name === 'hourlyRate' ? 'rate' : name);
        if (control instanceof Element) control.setAttribute('aria-invalid', 'true');
      }
    }
    button.disabled = false;
  });
  replace(container, form);
  syncManual();
}

async function availabilityTab(view, container, profile) {
  const { app } = view;
  const zone = profile.timezone;
  const today = dayInZone(Date.now(), zone);
  const results = h('div');
  const day = h('input', { type: 'date', name: 'day', min: today, value: today, required: true });
  const from = h('input', { type: 'time', name: 'from', step: '1800', value: '09:00', required: true });
  const to = h('input', { type: 'time', name: 'to', step: '1800', value: '12:00', required: true });
  const form = h(
    'form',
    { class: 'stacked publish', 'aria-label': 'Publish availability', novalidate: true },
    h('h2', {}, 'Publish times'),
    h('p', { class: 'muted' }, `In your time zone, ${zone.replace(/_/g, ' ')}. Times are split into 30-minute slots on :00 and :30.`),
    h('div', { class: 'row' }, field('Day', day), field('From', from), field('Until', to)),
    results,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Publish')),
  );
  const listContainer = h('div', { class: 'my-slots' });
  replace(container, form, h('h2', {}, 'Your next 30 days'), listContainer);

  async function drawSlots() {
    let availability;
    try {
      const now = Date.now();
      availability = await app.api.get(`/mentors/${enc(app.user.sub)}/availability`, {
        auth: false,
        query: { from: toUtcString(now), to: toUtcString(now + 30 * 86_400_000), tz: zone },
      });
    } catch (error) {
      replace(listContainer, errorBox(error));
      return;
    }
    if (!view.alive()) return;
    const days = [...slotsByDay(availability.slots)];
    if (!days.length) {
      replace(listContainer, h('p', { class: 'muted' }, 'No published times in the next 30 days.'));
      return;
    }
    const removalStatus = h('div', { class: 'removal-status', 'aria-live': 'polite' });
    replace(
      listContainer,
      removalStatus,
      days.map(([dayText, slots]) =>
        h(
          'section',
          { class: 'slot-day', 'aria-label': formatDay(dayText, { weekday: 'long', month: 'long', day: 'numeric' }) },
          h('h3', {}, formatDay(dayText, { weekday: 'long', month: 'long', day: 'numeric' })),
          h(
            'ul',
            { class: 'slot-rows' },
            slots.map((slot) => {
              const time = formatTime(slot.start, zone);
              const remove = h('button', { type: 'button', class: 'button small secondary', 'aria-label': `Remove ${time} on ${formatDay(dayText)}`, disabled: !slot.available }, 'Remove');
              const row = h('li', { dataset: { start: slot.start } }, h('span', {}, time), h('span', { class: slot.available ? 'badge open' : 'badge confirmed' }, slot.available ? 'open' : 'booked or held'), remove);
              remove.addEventListener('click', async () => {
                remove.disabled = true;
                try {
                  await app.api.delete(`/mentors/me/availability/${enc(slot.start)}`);
                  replace(removalStatus, h('p', { class: 'notice success', role: 'status' }, `Removed ${time} on ${formatDay(dayText)}.`));
                  row.remove();
                } catch (error) {
                  remove.disabled = false;
                  replace(removalStatus, errorBox(error, { title: 'Not removed: ' }));
                }
              });
              return row;
            }),
          ),
        ),
      ),
    );
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!day.value || !from.value || !to.value) {
      replace(results, errorBox({ message: 'Choose a day and both times.' }, { title: 'Not published: ' }));
      return;
    }
    const start = zonedTimeToDate(day.value, from.value, zone);
    const end = zonedTimeToDate(day.value, to.value, zone);
    if (end <= start) {
      replace(results, errorBox({ message: '"Until" must be later than "From" on the same day.' }, { title: 'Not published: ' }));
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const answer = await app.api.post('/mentors/me/availability', { start: toUtcString(start), end: toUtcString(end) });
      const count = answer.slots.length;
      replace(results, h('div', { class: 'notice success', role: 'status' }, `Published: ${count} slot${count === 1 ? '' : 's'} from ${formatTime(start, zone)} to ${formatTime(end, zone)} on ${formatDay(day.value)}.`));
      await drawSlots();
    } catch (error) {
      replace(results, errorBox(error, { title: 'Not published: ' }));
    }
    button.disabled = false;
  });
  await drawSlots();
}

/** A tab that needs a mentor profile: `draw(view, container, profile)` once there is one. */
async function withProfile(view, container, what, draw) {
  const profile = await loadMyProfile(view, container, 'Loading your mentor profile…');
  if (profile === undefined) return;
  if (!profile) {
    replace(container, h('p', { class: 'notice info' }, `Create your mentor profile first (the "Profile and settings" tab), then ${what}.`));
    return;
  }
  await draw(view, container, profile);
}

async function bookingsTab(view, container, scope) {
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': 'Which bookings' },
    [['upcoming', 'Upcoming'], ['past', 'Past']].map(([value, label]) =>
      h('a', { href: `#/mentor?tab=bookings&scope=${value}`, 'aria-current': value === scope ? 'page' : null }, label),
    ),
  );
  const list = h('div');
  replace(container, h('p', { class: 'muted' }, `Times in ${view.app.tz.replace(/_/g, ' ')}.`), tabs, list);
  await bookingList(view, list, { role: 'mentor', scope });
}

export async function renderMentorTools(view) {
  const { app, query } = view;
  if (app.needsSignIn(view, 'manage your mentor profile')) return;
  const tab = TABS.some(([name]) => name === query.get('tab')) ? query.get('tab') : 'profile';
  view.heading('Mentor tools');
  const container = h('div', { class: 'tab-panel' });
  view.mount(
    h(
      'nav',
      { class: 'tabs', 'aria-label': 'Mentor tools' },
      TABS.map(([name, label]) => h('a', { href: `#/mentor?tab=${name}`, 'aria-current': name === tab ? 'page' : null }, label)),
    ),
    container,
  );
  if (tab === 'profile') await profileTab(view, container);
  else if (tab === 'availability') await withProfile(view, container, 'publish times here', availabilityTab);
  else if (tab === 'schedule') await withProfile(view, container, 'set your weekly hours here', scheduleTab);
  else if (tab === 'calendars') await withProfile(view, container, 'connect your calendars here', calendarsTab);
  else await bookingsTab(view, container, query.get('scope') === 'past' ? 'past' : 'upcoming');
}
