// Sign-in. Locally: a "sign in as" picker over the demo users the local stack seeds
// (GET /_local/users), or anyone else by name and email; the local stack's POST /_local/token
// issues the token. In AWS (auth.mode "cognito"): the Cognito hosted UI.

import { listLocalUsers, signInLocal, startHostedUi } from '../auth.js';
import { errorBox, field, h, replace, spinner } from '../dom.js';
import { browserZone, supportedZones } from '../format.js';

function nextHash(view) {
  const next = view.query.get('next') || '#/';
  return next.startsWith('#/') && !next.startsWith('#/signin') ? next : '#/';
}

export async function renderSignIn(view) {
  const { app } = view;
  view.heading('Sign in');
  if (app.config.auth.mode === 'cognito') {
    const button = h('button', { type: 'button', class: 'button' }, 'Continue to sign-in');
    button.addEventListener('click', () => startHostedUi(app.config.auth, nextHash(view)));
    view.mount(h('p', {}, 'You sign in (or create an account) on our secure sign-in page, then come back here.'), button);
    return;
  }

  const results = h('div');
  const finish = async (claims, role) => {
    replace(results, spinner('Signing in…'));
    try {
      const session = await signInLocal(app.api, claims, role);
      app.signedInAs(session);
      app.navigate(nextHash(view));
    } catch (error) {
      replace(results, errorBox(error, { title: 'Not signed in: ' }));
    }
  };

  const pickerSlot = h('div', {}, spinner('Loading demo users…'));
  view.mount(
    h('p', { class: 'notice info' }, 'Local stack: choose a demo user. No password is needed; the local stack issues a token for whoever you pick.'),
    pickerSlot,
    results,
  );

  let users = [];
  try {
    users = await listLocalUsers(app.api);
  } catch (error) {
    replace(pickerSlot, errorBox(error, { title: 'The demo users are not available: ' }));
  }
  if (!view.alive()) return;

  if (users.length) {
    const group = (role, label) =>
      h('optgroup', { label }, users.filter((user) => user.role === role).map((user) => h('option', { value: user.sub }, `${user.name} (${user.zoneinfo.replace(/_/g, ' ')})`)));
    const select = h('select', { name: 'user' }, group('mentee', 'Mentees'), group('mentor', 'Mentors'));
    const form = h(
      'form',
      { class: 'stacked', 'aria-label': 'Sign in as a demo user' },
      field('Sign in as', select, { hint: 'Mentors are the seeded mentors: sign in as one to see their bookings, inbox and tools.' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Sign in')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const user = users.find((candidate) => candidate.sub === select.value);
      finish(user, user.role);
    });
    replace(pickerSlot, form);
  }

  const name = h('input', { name: 'name', autocomplete: 'name', required: true });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true });
  const zone = h('select', { name: 'zoneinfo' }, supportedZones(browserZone()).map((value) => h('option', { value, selected: value === browserZone() }, value.replace(/_/g, ' '))));
  const problems = h('div');
  const custom = h(
    'form',
    { class: 'stacked', 'aria-label': 'Sign in as someone new', novalidate: true },
    field('Name', name),
    field('Email', email),
    field('Time zone', zone),
    problems,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button secondary' }, 'Sign in as this person')),
  );
  custom.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!name.value.trim() || !/^[^@\s]+@[^@\s]+$/.test(email.value.trim())) {
      replace(problems, errorBox({ message: 'Enter a name and an email address.' }, { title: 'Not signed in: ' }));
      return;
    }
    const address = email.value.trim().toLowerCase();
    finish({ sub: `local-${address.replace(/[^a-z0-9]+/g, '-')}`, email: address, name: name.value.trim(), zoneinfo: zone.value }, null);
  });
  view.mount(h('details', { class: 'someone-else' }, h('summary', {}, 'Someone new (for example, to become a mentor)'), custom));
}
