// The web client's shell: configuration, sign-in state, the header and a hash router.
// Routes (#/...): /  (directory), /mentors/:id, /checkout/:bookingId, /sessions, /bookings/:id,
// /mentor (mentor tools), /inbox, /signin.

import { createApi, IdempotencyKeys } from './api.js';
import {
  clearSession,
  completeHostedUi,
  hostedUiLogoutUrl,
  loadSession,
  startHostedUi,
} from './auth.js';
import { errorBox, h, replace } from './dom.js';
import { browserZone } from './format.js';
import { LiveAvailability } from './live.js';
import { renderCheckout } from './views/checkout.js';
import { renderDirectory } from './views/directory.js';
import { renderInbox } from './views/inbox.js';
import { renderMentorProfile } from './views/mentor-profile.js';
import { renderMentorTools } from './views/mentor-tools.js';
import { renderBookingDetail, renderSessions } from './views/sessions.js';
import { renderSignIn } from './views/signin.js';

const TZ_KEY = 'mentor-booking.tz';
const DEFAULT_CONFIG = { apiUrl: '', auth: { mode: 'local' } };

const ROUTES = [
  [/^\/$/, renderDirectory],
  [/^\/mentors\/([^/]+)$/, renderMentorProfile],
  [/^\/checkout\/([^/]+)$/, renderCheckout],
  [/^\/sessions$/, renderSessions],
  [/^\/bookings\/([^/]+)$/, renderBookingDetail],
  [/^\/mentor$/, renderMentorTools],
  [/^\/inbox$/, renderInbox],
  [/^\/signin$/, renderSignIn],
];

async function loadConfig() {
  if (window.MENTOR_BOOKING_CONFIG) return { ...DEFAULT_CONFIG, ...window.MENTOR_BOOKING_CONFIG };
  try {
    const response = await fetch('config.json', { cache: 'no-cache' });
    if (!response.ok) return DEFAULT_CONFIG;
    const config = await response.json();
    return { ...DEFAULT_CONFIG, ...config, auth: { ...DEFAULT_CONFIG.auth, ...(config.auth || {}) } };
  } catch {
    return DEFAULT_CONFIG;
  }
}

function parseHash() {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(search) };
}

class App {
  constructor(config) {
    this.config = config;
    this.session = loadSession();
    this.keys = new IdempotencyKeys();
    this.bookings = new Map(); // bookingId -> the latest Booking seen (checkout reads it first)
    this.flash = null; // a message for the next view, e.g. after a redirect
    this.tz = sessionStorage.getItem(TZ_KEY) || browserZone();
    this.api = createApi({
      baseUrl: config.apiUrl,
      getToken: () => this.session?.token,
      onUnauthorized: () => this.sessionEnded(),
    });
    this.live = new LiveAvailability({ getUrl: () => this.realtimeUrl() });
    this.main = document.getElementById('main');
    this.renderCount = 0;
    this.leaveHooks = [];
  }

  /** The WebSocket URL of live availability (GET /realtime), asked once per tab while it works. */
  realtimeUrl() {
    this.realtimeAnswer ||= this.api.get('/realtime', { auth: false }).then(({ url }) => url);
    return this.realtimeAnswer.catch((error) => {
      this.realtimeAnswer = null;
      throw error;
    });
  }

  get signedIn() {
    return Boolean(this.session);
  }

  get user() {
    return this.session?.user || null;
  }

  setTimeZone(zone) {
    this.tz = zone;
    sessionStorage.setItem(TZ_KEY, zone);
  }

  navigate(hash) {
    if (window.location.hash === hash) this.route();
    else window.location.hash = hash;
  }

  signedInAs(session) {
    this.session = session;
    this.renderUserArea();
  }

  sessionEnded() {
    clearSession();
    this.session = null;
    this.flash = { kind: 'warning', text: 'Your sign-in has ended. Please sign in again.' };
    this.renderUserArea();
  }

  async signIn() {
    if (this.config.auth.mode === 'cognito') {
      await startHostedUi(this.config.auth);
    } else {
      this.navigate(`#/signin?next=${encodeURIComponent(window.location.hash || '#/')}`);
    }
  }

  signOut() {
    clearSession();
    this.session = null;
    if (this.config.auth.mode === 'cognito') {
      window.location.assign(hostedUiLogoutUrl(this.config.auth));
      return;
    }
    this.renderUserArea();
    this.navigate('#/');
  }

  renderUserArea() {
    const area = document.getElementById('user-area');
    if (this.session) {
      replace(
        area,
        h('span', { class: 'who' }, 'Signed in as ', h('strong', {}, this.user.name)),
        h('button', { type: 'button', class: 'link-button', onclick: () => this.signOut() }, 'Sign out'),
      );
    } else {
      replace(area, h('button', { type: 'button', class: 'button small', onclick: () => this.signIn() }, 'Sign in'));
    }
  }

  /** A prompt instead of a view that needs a signed-in user; true when one was shown. */
  needsSignIn(view, what) {
    if (this.signedIn) return false;
    view.heading('Sign in needed');
    view.mount(
      h('p', {}, `Sign in to ${what}.`),
      h('p', {}, h('button', { type: 'button', class: 'button', onclick: () => this.signIn() }, 'Sign in')),
    );
    return true;
  }

  async route() {
    for (const leave of this.leaveHooks.splice(0)) leave();
    const renderId = ++this.renderCount;
    const { path, query } = parseHash();
    const match = ROUTES.map(([pattern, render]) => [pattern.exec(path), render]).find(([found]) => found);
    const focusAfter = this.routedOnce;
    this.routedOnce = true;
    this.highlightNav(path);

    const main = this.main;
    const view = {
      app: this,
      query,
      params: match ? match[0].slice(1).map(decodeURIComponent) : [],
      alive: () => renderId === this.renderCount,
      onLeave: (hook) => this.leaveHooks.push(hook),
      heading: (text) => {
        document.title = `${text} · Mentor booking`;
        const heading = h('h1', { tabindex: '-1' }, text);
        if (renderId === this.renderCount) replace(main, heading);
        return heading;
      },
      mount: (...nodes) => {
        if (renderId === this.renderCount) main.append(...nodes.flat().filter(Boolean));
      },
    };
    replace(main);
    const flash = this.flash;
    this.flash = null;
    try {
      if (!match) {
        view.heading('Page not found');
        view.mount(h('p', {}, 'There is nothing at this address. ', h('a', { href: '#/' }, 'Find a mentor')));
      } else {
        await match[1](view);
      }
    } catch (error) {
      if (view.alive()) view.mount(errorBox(error));
    }
    if (!view.alive()) return;
    if (flash) {
      const heading = main.querySelector('h1');
      const note = h('div', { class: `notice ${flash.kind}`, role: 'status' }, flash.text);
      if (heading) heading.after(note);
      else main.prepend(note);
    }
    if (focusAfter) (main.querySelector('h1') || main).focus();
  }

  highlightNav(path) {
    const section = path === '/' || path.startsWith('/mentors/') || path.startsWith('/checkout/')
      ? 'directory'
      : path.startsWith('/sessions') || path.startsWith('/bookings/')
        ? 'sessions'
        : path.slice(1).split('/')[0];
    for (const link of document.querySelectorAll('[data-nav]')) {
      if (link.dataset.nav === section) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }
}

async function main() {
  const config = await loadConfig();
  const app = new App(config);
  window.mentorBookingApp = app; // for debugging from the console
  if (config.auth.mode === 'cognito') {
    try {
      const done = await completeHostedUi(config.auth);
      if (done) app.session = done.session;
    } catch (error) {
      app.flash = { kind: 'error', text: error.message };
    }
  }
  app.renderUserArea();
  window.addEventListener('hashchange', () => app.route());
  await app.route();
  document.documentElement.dataset.ready = 'true';
}

main();
