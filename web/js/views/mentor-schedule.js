// Mentor tools: the weekly schedule (GET and PUT /mentors/me/schedule: weekly intervals and date
// overrides as wall-clock times in the mentor's zone, buffer, notice, horizon, daily cap) and the
// external calendars whose busy times block slots (POST, GET, DELETE /mentors/me/calendars).

import { enc, nullIfNotFound } from '../api.js';
import { errorBox, field, h, notice, replace, spinner, uid } from '../dom.js';
import { dayInZone, formatDateTime, formatDay, intervalProblems, supportedZones, wallTimes, WEEKDAYS } from '../format.js';

const STARTS = wallTimes({ to: 47 }); // 00:00 ... 23:30
const ENDS = wallTimes({ from: 1 }); // 00:30 ... 24:00
const DAY_NAMES = Object.fromEntries(WEEKDAYS.map((day) => [day, day[0].toUpperCase() + day.slice(1)]));
const NEW_INTERVAL = { start: '09:00', end: '12:00' };

function timeSelect(name, times, value, label) {
  return h('select', { name, 'aria-label': label }, times.map((time) => h('option', { value: time, selected: time === value }, time)));
}

/**
 * An editable list of one day's intervals ([{start, end}], edited in place); `onChange` after
 * each edit. `what` names the day in the controls' labels ("Monday", "2026-12-24").
 */
function intervalsEditor(intervals, what, onChange) {
  const list = h('ul', { class: 'interval-list' });
  const add = h('button', { type: 'button', class: 'button small secondary', 'aria-label': `Add hours on ${what}` }, 'Add hours');
  function draw() {
    replace(
      list,
      intervals.map((interval, index) => {
        const n = intervals.length > 1 ? ` (${index + 1})` : '';
        const start = timeSelect('start', STARTS, interval.start, `${what} from${n}`);
        const end = timeSelect('end', ENDS, interval.end, `${what} until${n}`);
        start.addEventListener('change', () => {
          interval.start = start.value;
          onChange();
        });
        end.addEventListener('change', () => {
          interval.end = end.value;
          onChange();
        });
        const remove = h('button', { type: 'button', class: 'button small secondary', 'aria-label': `Remove ${what} ${interval.start}–${interval.end}` }, 'Remove');
        remove.addEventListener('click', () => {
          intervals.splice(index, 1);
          draw();
          onChange();
          add.focus();
        });
        return h('li', { class: 'interval' }, start, h('span', { 'aria-hidden': 'true' }, '–'), end, remove);
      }),
    );
  }
  add.addEventListener('click', () => {
    const last = intervals.at(-1);
    intervals.push(last && last.end !== '24:00' ? { start: last.end, end: ENDS[Math.min(ENDS.length - 1, ENDS.indexOf(last.end) + 2)] } : { ...NEW_INTERVAL });
    draw();
    onChange();
    list.querySelector('li:last-child select')?.focus();
  });
  draw();
  return h('div', { class: 'intervals' }, list, add);
}

export async function scheduleTab(view, container, profile) {
  const { app } = view;
  replace(container, spinner('Loading your schedule…'));
  let saved;
  try {
    saved = await nullIfNotFound(app.api.get('/mentors/me/schedule'));
  } catch (error) {
    if (view.alive()) replace(container, errorBox(error));
    return;
  }
  if (!view.alive()) return;

  const state = {
    timezone: saved?.timezone || profile.timezone,
    weekly: Object.fromEntries(WEEKDAYS.map((day) => [day, (saved?.weekly || []).filter((row) => row.day === day).map(({ start, end }) => ({ start, end }))])),
    overrides: (saved?.overrides || []).map((row) => ({ date: row.date, intervals: row.intervals.map(({ start, end }) => ({ start, end })) })),
  };
  const results = h('div');
  const problems = h('div', { class: 'schedule-problems', 'aria-live': 'polite' });
  const check = () => {
    const found = [
      ...WEEKDAYS.flatMap((day) => intervalProblems(state.weekly[day]).map((text) => `${DAY_NAMES[day]}: ${text}`)),
      ...state.overrides.flatMap((row) => intervalProblems(row.intervals).map((text) => `${row.date}: ${text}`)),
    ];
    replace(problems, found.length ? notice(`Fix before saving: ${found.join('; ')}.`, 'warning') : null);
    return found;
  };

  const zone = h('select', { name: 'timezone' }, supportedZones(state.timezone).map((value) => h('option', { value, selected: value === state.timezone }, value.replace(/_/g, ' '))));
  zone.addEventListener('change', () => {
    state.timezone = zone.value;
  });

  const weekly = h(
    'fieldset',
    { class: 'weekly' },
    h('legend', {}, 'Weekly hours'),
    h('p', { class: 'hint' }, 'Wall-clock times in the zone above: 18:00 stays 18:00 when the clocks change. Days without hours offer nothing.'),
    WEEKDAYS.map((day) => h('div', { class: 'weekday', role: 'group', 'aria-label': DAY_NAMES[day] }, h('h3', {}, DAY_NAMES[day]), intervalsEditor(state.weekly[day], DAY_NAMES[day], check))),
  );

  const overrideList = h('div', { class: 'overrides-list' });
  function drawOverrides() {
    replace(
      overrideList,
      state.overrides.length ? null : h('p', { class: 'muted' }, 'No date overrides.'),
      state.overrides.map((row, index) => {
        const label = formatDay(row.date, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
        const off = h('input', { type: 'checkbox', name: 'off', checked: !row.intervals.length });
        const remove = h('button', { type: 'button', class: 'button small secondary', 'aria-label': `Remove the override on ${label}` }, 'Remove override');
        const editor = intervalsEditor(row.intervals, row.date, check);
        editor.hidden = !row.intervals.length;
        off.addEventListener('change', () => {
          row.intervals.splice(0, row.intervals.length, ...(off.checked ? [] : [{ ...NEW_INTERVAL }]));
          drawOverrides();
          check();
        });
        remove.addEventListener('click', () => {
          state.overrides.splice(index, 1);
          drawOverrides();
          check();
        });
        return h(
          'div',
          { class: 'override', role: 'group', 'aria-label': `Override on ${label}`, dataset: { date: row.date } },
          h('h3', {}, label),
          h('label', { class: 'choice' }, off, ` Unavailable all day on ${row.date}`),
          editor,
          remove,
        );
      }),
    );
  }
  const today = dayInZone(Date.now(), state.timezone);
  const overrideDate = h('input', { type: 'date', name: 'overrideDate', min: today });
  const addOverride = h('button', { type: 'button', class: 'button small secondary' }, 'Add override');
  const overrideNote = h('div', { 'aria-live': 'polite' });
  addOverride.addEventListener('click', () => {
    const date = overrideDate.value;
    if (!date) {
      replace(overrideNote, notice('Choose the date first.', 'warning'));
      return;
    }
    if (state.overrides.some((row) => row.date === date)) {
      replace(overrideNote, notice(`${date} already has an override.`, 'warning'));
      return;
    }
    replace(overrideNote);
    state.overrides.push({ date, intervals: [] });
    state.overrides.sort((a, b) => a.date.localeCompare(b.date));
    drawOverrides();
    overrideList.querySelector(`[data-date="${date}"] input`)?.focus();
  });
  const overrides = h(
    'fieldset',
    { class: 'overrides' },
    h('legend', {}, 'Date overrides'),
    h('p', { class: 'hint' }, 'A date here replaces that day\'s weekly hours: other hours, or none at all.'),
    overrideList,
    h('div', { class: 'row' }, field('Date', overrideDate), h('div', { class: 'field' }, addOverride)),
    overrideNote,
  );
  drawOverrides();

  const number = (name, value, attributes) => h('input', { type: 'number', name, value: value ?? '', step: '1', inputmode: 'numeric', ...attributes });
  const buffer = h('select', { name: 'bufferMinutes' }, [0, 30, 60].map((minutes) => h('option', { value: String(minutes), selected: minutes === (saved?.bufferMinutes ?? 0) }, minutes ? `${minutes} minutes` : 'None')));
  const noticeMinutes = number('minimumNoticeMinutes', saved?.minimumNoticeMinutes ?? 0, { min: '0', max: '10080' });
  const horizon = number('horizonDays', saved?.horizonDays ?? 90, { min: '1', max: '90' });
  const cap = number('maxSessionsPerDay', saved?.maxSessionsPerDay ?? '', { min: '1', max: '48' });
  const rules = h(
    'fieldset',
    { class: 'rules' },
    h('legend', {}, 'Booking rules'),
    field('Buffer around sessions', buffer, { hint: 'Free time kept before and after every session.' }),
    field('Minimum notice (minutes)', noticeMinutes, { hint: 'No session starts sooner than this after a booking (0 to 10,080, a week).' }),
    field('Booking horizon (days)', horizon, { hint: 'Nothing further ahead than this (1 to 90).' }),
    field('Most sessions per day', cap, { hint: 'Empty for no limit (1 to 48).' }),
  );

  const form = h(
    'form',
    { class: 'stacked schedule', 'aria-label': 'Weekly schedule', novalidate: true },
    saved ? null : h('p', { class: 'notice info' }, 'You have no weekly schedule yet: only the times you publish one by one are offered.'),
    field('Time zone of these hours', zone),
    weekly,
    overrides,
    rules,
    problems,
    results,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Save schedule')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (check().length) return;
    const whole = (input) => (input.value.trim() === '' ? null : Number(input.value));
    const body = {
      timezone: state.timezone,
      weekly: WEEKDAYS.flatMap((day) => state.weekly[day].map(({ start, end }) => ({ day, start, end }))),
      overrides: state.overrides.map(({ date, intervals }) => ({ date, intervals: intervals.map(({ start, end }) => ({ start, end })) })),
      bufferMinutes: Number(buffer.value),
      minimumNoticeMinutes: whole(noticeMinutes),
      horizonDays: whole(horizon),
      maxSessionsPerDay: whole(cap),
    };
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const stored = await app.api.put('/mentors/me/schedule', body);
      const hours = stored.weekly.length;
      replace(
        results,
        h(
          'div',
          { class: 'notice success', role: 'status' },
          `Saved: ${hours} weekly interval${hours === 1 ? '' : 's'} and ${stored.overrides.length} override${stored.overrides.length === 1 ? '' : 's'} in ${stored.timezone.replace(/_/g, ' ')}. `,
          h('a', { href: `#/mentors/${encodeURIComponent(app.user.sub)}` }, 'See your calendar as mentees do'),
          '.',
        ),
      );
    } catch (error) {
      replace(results, errorBox(error, { title: 'Not saved: ' }));
    }
    button.disabled = false;
  });
  replace(container, form);
}

// ------------------------------------------------------------------ external calendars

function calendarRow(app, calendar, onRemoved) {
  const status = calendar.status === 'ok'
    ? h('span', { class: 'badge open' }, 'OK')
    : h('span', { class: 'badge cancelled' }, 'Error');
  const remove = h('button', { type: 'button', class: 'button small secondary', 'aria-label': `Disconnect ${calendar.url}` }, 'Disconnect');
  const problems = h('div');
  const headingId = uid('calendar');
  remove.addEventListener('click', async () => {
    remove.disabled = true;
    try {
      await app.api.delete(`/mentors/me/calendars/${enc(calendar.calendarId)}`);
      onRemoved();
    } catch (error) {
      remove.disabled = false;
      replace(problems, errorBox(error, { title: 'Not disconnected: ' }));
    }
  });
  return h(
    'li',
    { class: `card calendar-item status-${calendar.status}`, dataset: { calendarId: calendar.calendarId, status: calendar.status } },
    h(
      'article',
      { 'aria-labelledby': headingId },
      h('h3', { id: headingId }, calendar.type === 'caldav' ? 'CalDAV calendar ' : 'ICS feed ', status),
      h('p', { class: 'calendar-url' }, calendar.url, calendar.username ? h('span', { class: 'muted' }, ` (as ${calendar.username})`) : null),
      calendar.status === 'error'
        ? h(
            'p',
            { class: 'notice error calendar-error', role: 'alert' },
            h('strong', {}, 'Cannot be read: '),
            calendar.error || 'unknown reason',
            '. Until it can, mentees are offered none of your times.',
          )
        : null,
      h('p', { class: 'muted' }, calendar.lastSyncedAt ? `Last read ${formatDateTime(calendar.lastSyncedAt, app.tz)}.` : 'Not read yet.'),
      problems,
      h('div', { class: 'actions' }, remove),
    ),
  );
}

export async function calendarsTab(view, container) {
  const { app } = view;
  const list = h('div', { class: 'calendar-list' });
  const results = h('div');

  async function drawList() {
    let answer;
    try {
      answer = await app.api.get('/mentors/me/calendars');
    } catch (error) {
      if (view.alive()) replace(list, errorBox(error));
      return;
    }
    if (!view.alive()) return;
    replace(
      list,
      answer.items.length
        ? h('ul', { class: 'cards single', 'aria-label': 'Connected calendars' }, answer.items.map((calendar) => calendarRow(app, calendar, drawList)))
        : h('p', { class: 'muted' }, 'No calendars connected.'),
    );
  }

  const kind = (value, label) => h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'type', value, checked: value === 'ics' }), ` ${label}`);
  const url = h('input', { type: 'url', name: 'url', required: true, inputmode: 'url', placeholder: 'https://…' });
  const username = h('input', { type: 'text', name: 'username', autocomplete: 'username' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password' });
  const credentials = h(
    'div',
    { class: 'credentials' },
    field('Username', username),
    field('Password', password, { hint: 'Stored encrypted and never shown again; an app password is best.' }),
  );
  const form = h(
    'form',
    { class: 'stacked connect-calendar', 'aria-label': 'Connect a calendar', novalidate: true },
    h('h2', {}, 'Connect a calendar'),
    h('p', { class: 'muted' }, 'Busy events in your own calendars block the times they overlap; all-day events block the whole day. The calendar is read when you connect it, then at least every 5 minutes.'),
    h('fieldset', {}, h('legend', {}, 'Kind'), kind('ics', 'ICS feed (a secret address of a calendar)'), kind('caldav', 'CalDAV server (with a username and password)')),
    field('Calendar URL', url),
    credentials,
    results,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Connect')),
  );
  const syncKind = () => {
    credentials.hidden = new FormData(form).get('type') !== 'caldav';
  };
  form.addEventListener('change', syncKind);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const type = new FormData(form).get('type');
    const body = { type, url: url.value.trim() };
    if (type === 'caldav') {
      if (username.value.trim()) body.username = username.value.trim();
      if (password.value) body.password = password.value;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    replace(results, spinner('Reading the calendar…'));
    try {
      const connected = await app.api.post('/mentors/me/calendars', body);
      password.value = '';
      url.value = '';
      replace(results, h('div', { class: 'notice success', role: 'status' }, `Connected and read: ${connected.url}.`));
      await drawList();
    } catch (error) {
      replace(results, errorBox(error, { title: 'Not connected: ' }));
    }
    button.disabled = false;
  });
  replace(container, h('h2', {}, 'Your calendars'), list, form);
  syncKind();
  await drawList();
}
