// The mentor directory: a search box, four filters (job family, rate range in dollars, experience
// level, availability) with the number of matches each choice would give (the API's facets),
// sort, the result count and total, an empty state and cursor paging.

import { errorBox, field, h, replace, spinner, uid } from '../dom.js';
import {
  dollarsToMinor,
  EXPERIENCE_LEVELS,
  experienceLabel,
  formatMoney,
  initials,
  ratingText,
} from '../format.js';

const PAGE_SIZE = 12;
const JOB_FAMILIES = [
  'Engineer',
  'Software Engineer',
  'Site Reliability',
  'Data',
  'Data Scientist',
  'Machine Learning',
  'Product Manager',
  'Designer',
  'Manager',
  'Security',
  'Mobile',
  'DevOps',
];
const AVAILABILITY = [
  ['today', 'Today'],
  ['week', 'In the next 7 days'],
  ['month', 'In the next 30 days'],
];
const SORTS = [
  ['relevance', 'Best match'],
  ['name', 'Name'],
  ['rating', 'Rating'],
  ['price', 'Price: low to high'],
  ['-price', 'Price: high to low'],
  ['availability', 'Soonest available'],
];

// Shows beside each option of a facet's select how many mentors that choice would give.
export function showFacetCounts(selectElement, options, counts) {
  for (const option of selectElement.options) {
    const label = options.find(([value]) => value === option.value);
    if (!label) continue;
    const count = counts?.[option.value];
    option.textContent = count === undefined ? label[1] : `${label[1]} (${count})`;
  }
}

function select(name, emptyLabel, options, value) {
  return h(
    'select',
    { name },
    h('option', { value: '' }, emptyLabel),
    options.map(([optionValue, label]) => h('option', { value: optionValue, selected: optionValue === value }, label)),
  );
}

export function mentorCard(card) {
  const avatar = card.avatarUrl
    ? h('img', { class: 'avatar', src: card.avatarUrl, alt: '', width: 56, height: 56 })
    : h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(card.name));
  return h(
    'li',
    { class: 'card mentor-card' },
    h(
      'article',
      { 'aria-labelledby': `mentor-${card.mentorId}` },
      h(
        'div',
        { class: 'card-head' },
        avatar,
        h(
          'div',
          {},
          h('h3', { id: `mentor-${card.mentorId}` }, h('a', { href: `#/mentors/${encodeURIComponent(card.mentorId)}` }, card.name)),
          h('p', { class: 'muted' }, `${card.jobTitle} · ${card.company}`),
        ),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('div', {}, h('dt', {}, 'Rate'), h('dd', {}, `${formatMoney(card.hourlyRate)} / hour`)),
        h('div', {}, h('dt', {}, 'Experience'), h('dd', {}, `${experienceLabel(card.experienceLevel).split(' (')[0]} · ${card.yearsOfExperience} yrs`)),
        h('div', {}, h('dt', {}, 'Rating'), h('dd', {}, ratingText(card))),
        h('div', {}, h('dt', {}, 'Sessions'), h('dd', {}, String(card.totalSessions))),
      ),
      card.specialties?.length ? h('p', { class: 'muted specialties' }, card.specialties.join(' · ')) : null,
    ),
  );
}

export async function renderDirectory(view) {
  const { app, query } = view;
  view.heading('Find a mentor');

  const filters = {
    q: query.get('q') || '',
    jobFamily: query.get('jobFamily') || '',
    minRate: query.get('minRate') || '',
    maxRate: query.get('maxRate') || '',
    experienceLevel: query.get('experienceLevel') || '',
    availability: query.get('availability') || '',
  };

  const sort = query.get('sort') || '';
  const listId = uid('families');
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter mentors', novalidate: true },
    field(
      'Keywords',
      h('input', { name: 'q', type: 'search', value: filters.q, maxlength: '100', autocomplete: 'off' }),
      { hint: 'Words in a name, company, title, specialty or bio, e.g. "kubernetes" or "señor".' },
    ),
    field(
      'Job family',
      h('input', { name: 'jobFamily', type: 'search', value: filters.jobFamily, list: listId, autocomplete: 'off' }),
      { hint: 'Part of the job title, e.g. "engineer" or "design".' },
    ),
    h('datalist', { id: listId }, JOB_FAMILIES.map((family) => h('option', { value: family }))),
    h(
      'fieldset',
      { class: 'rate-range' },
      h('legend', {}, 'Hourly rate (US$)'),
      field('Minimum', h('input', { name: 'minRate', type: 'number', min: '0', step: '1', inputmode: 'decimal', value: filters.minRate })),
      field('Maximum', h('input', { name: 'maxRate', type: 'number', min: '0', step: '1', inputmode: 'decimal', value: filters.maxRate })),
    ),
    field('Experience level', select('experienceLevel', 'Any level', EXPERIENCE_LEVELS, filters.experienceLevel)),
    field('Available', select('availability', 'Any time', AVAILABILITY, filters.availability), {
      hint: `Has an open slot in this window (your time zone: ${app.tz}).`,
    }),
    field('Sort by', select('sort', filters.q ? 'Best match' : 'Name', SORTS, sort)),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button' }, 'Search'),
      h('a', { href: '#/', class: 'button secondary' }, 'Clear filters'),
    ),
  );
  const formErrors = h('div', { class: 'form-errors' });
  const status = h('p', { class: 'result-count', role: 'status', 'aria-live': 'polite', tabindex: '-1' });
  const total = h('p', { class: 'result-total muted' });
  const results = h('div', { class: 'results' });
  view.mount(form, formErrors, h('section', { 'aria-label': 'Results' }, status, total, results));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const problems = [];
    const min = dollarsToMinor(data.get('minRate'));
    const max = dollarsToMinor(data.get('maxRate'));
    if (Number.isNaN(min)) problems.push({ field: 'Minimum rate', issue: 'enter an amount in dollars, like 80 or 80.50' });
    if (Number.isNaN(max)) problems.push({ field: 'Maximum rate', issue: 'enter an amount in dollars, like 200' });
    if (!problems.length && min !== null && max !== null && min > max) {
      problems.push({ field: 'Maximum rate', issue: 'must not be below the minimum' });
    }
    if (problems.length) {
      replace(formErrors, errorBox({ message: 'Check the filters.', details: problems }, { title: 'Not searched: ' }));
      return;
    }
    const params = new URLSearchParams();
    for (const name of [...Object.keys(filters), 'sort']) {
      const value = String(data.get(name) || '').trim();
      if (value) params.set(name, value);
    }
    app.navigate(`#/${params.toString() ? `?${params}` : ''}`);
  });

  const apiQuery = {
    q: filters.q.trim(),
    sort,
    jobFamily: filters.jobFamily.trim(),
    minRate: dollarsToMinor(filters.minRate),
    maxRate: dollarsToMinor(filters.maxRate),
    experienceLevel: filters.experienceLevel,
    availability: filters.availability,
    limit: PAGE_SIZE,
    tz: app.tz,
  };
  for (const name of ['minRate', 'maxRate']) if (Number.isNaN(apiQuery[name])) apiQuery[name] = null;

  const cursors = [null]; // cursors[i] fetches page i+1
  let page = 0;

  async function load() {
    replace(results, spinner('Loading mentors…'));
    let answer;
    try {
      answer = await app.api.get('/mentors', { query: { ...apiQuery, cursor: cursors[page] }, auth: false });
    } catch (error) {
      if (!view.alive()) return;
      replace(status, '');
      replace(results, errorBox(error, { title: 'Could not load mentors: ' }));
      return;
    }
    if (!view.alive()) return;
    cursors[page + 1] = answer.nextCursor;
    showFacetCounts(form.elements.experienceLevel, EXPERIENCE_LEVELS, answer.facets?.experienceLevel);
    showFacetCounts(form.elements.availability, AVAILABILITY, answer.facets?.availability);
    replace(total, answer.total === undefined ? '' : `${answer.total} ${answer.total === 1 ? 'mentor' : 'mentors'} in all.`);
    const filtered = Object.values(filters).some(Boolean);
    if (!answer.items.length && page === 0) {
      replace(status, 'No mentors found.');
      replace(
        results,
        h(
          'div',
          { class: 'empty-state' },
          h('h2', {}, filtered ? 'No mentors match these filters' : 'No mentors yet'),
          h('p', {}, filtered ? 'Try a wider rate range, another level or any availability.' : 'Check back soon.'),
          filtered ? h('a', { class: 'button secondary', href: '#/' }, 'Clear filters') : null,
        ),
      );
      return;
    }
    const noun = answer.count === 1 ? 'mentor' : 'mentors';
    const pages = answer.nextCursor || page > 0 ? ` on page ${page + 1}` : '';
    replace(status, `${answer.count} ${noun}${pages}${filtered ? ' match your filters' : ''}.`);
    const previous = h('button', { type: 'button', class: 'button secondary', disabled: page === 0 }, 'Previous page');
    const next = h('button', { type: 'button', class: 'button secondary', disabled: !answer.nextCursor }, 'Next page');
    previous.addEventListener('click', () => {
      page -= 1;
      load().then(() => status.focus());
    });
    next.addEventListener('click', () => {
      page += 1;
      load().then(() => status.focus());
    });
    replace(
      results,
      h('ul', { class: 'cards', 'aria-label': 'Mentors' }, answer.items.map(mentorCard)),
      answer.nextCursor || page > 0 ? h('nav', { class: 'pager', 'aria-label': 'Pages' }, previous, next) : null,
    );
  }

  await load();
}
