// End to end in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// the web client served by the local stack at /app/, talking to the local stack's API.
//
//   WEB_BASE_URL=http://127.0.0.1:3000 node --test tests/browser/web_client.test.mjs
//
// (tests/browser/test_web_client.py starts a stack on a free port and runs this file.)
// Each step saves a screenshot to $SCREENSHOT_DIR (default test-artifacts/screenshots). Any
// console error or uncaught page error fails the run, except the HTTP errors a step provokes on
// purpose (409 for the slot someone else took, 402 for the declined card), which Chromium logs as
// "Failed to load resource" and which each step declares with expectHttpError().

import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BASE = (process.env.WEB_BASE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const APP = `${BASE}/app/`;
const SHOTS = resolve(ROOT, process.env.SCREENSHOT_DIR || 'test-artifacts/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// The flags this machine needs (see the environment notes): no sandbox as root, and no
// background connections to hosts that the closed network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const ADA = { name: 'Ada Okafor' }; // seeded: Staff Software Engineer, $220/h, slots today and weekly
const MAYA = 'Maya Patel'; // seeded mentees (local/seed.py DEMO_USERS)
const JONAS = 'Jonas Weber';
const TOPIC = 'Preparing for a staff-level system design interview';

let browser;
let shotNumber = 0;
let broken = null; // the first failed step: later steps are skipped, they depend on it
const pages = [];

// ------------------------------------------------------------------ helpers

async function api(path, init = {}) {
  const response = await fetch(BASE + path, init);
  const body = response.status === 204 ? null : await response.json();
  assert.ok(response.ok, `${init.method || 'GET'} ${path} -> ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** A page whose console errors and uncaught errors are collected (and fail the step). */
async function newPage(label, contextOptions) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const watch = { label, page, problems: [], allowed: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location()?.url || '';
    const status = /status of (\d{3})/.exec(message.text())?.[1];
    const index = watch.allowed.findIndex((entry) => String(entry.status) === status && url.includes(entry.urlPart));
    if (index >= 0) {
      watch.allowed.splice(index, 1);
      return;
    }
    watch.problems.push(`console error on ${label}'s page: ${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => watch.problems.push(`uncaught error on ${label}'s page: ${error.stack || error}`));
  pages.push(watch);
  return watch;
}

/** The next console "Failed to load resource" with this status and URL part is expected. */
function expectHttpError(watch, status, urlPart) {
  watch.allowed.push({ status, urlPart });
}

function assertNoConsoleErrors() {
  const problems = pages.flatMap((watch) => watch.problems.splice(0));
  assert.deepEqual(problems, [], problems.join('\n'));
}

async function shot(watch, name) {
  shotNumber += 1;
  const file = join(SHOTS, `${String(shotNumber).padStart(2, '0')}-${name}.png`);
  await watch.page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A step of the journey: skipped when an earlier one failed; console errors fail it. */
function step(name, body) {
  test(name, async (t) => {
    if (broken) {
      t.skip(`skipped: "${broken}" failed`);
      return;
    }
    try {
      await body();
      await new Promise((done) => setTimeout(done, 100)); // late console messages of this step
      assertNoConsoleErrors();
    } catch (error) {
      broken = name;
      for (const watch of pages) {
        await watch.page
          .screenshot({ path: join(SHOTS, `failed-${watch.label}.png`), fullPage: true })
          .catch(() => {});
      }
      throw error;
    }
  });
}

async function open(watch, hash = '') {
  await watch.page.goto(APP + hash);
  await watch.page.waitForSelector('html[data-ready="true"]');
}

async function signIn(watch, name) {
  const { page } = watch;
  await page.getByRole('button', { name: 'Sign in' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  const select = page.getByLabel('Sign in as', { exact: true });
  const value = await select.locator('option', { hasText: name }).getAttribute('value');
  await select.selectOption(value);
  return async () => {
    await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
    await page.getByText(`Signed in as ${name}`).waitFor();
  };
}

function resultCount(page) {
  return page.locator('.result-count');
}

async function pickSlots() {
  // From the API (what the calendar shows): two start times at least two days ahead, each with
  // a second open slot right after it (a 60-minute session), on different days.
  const { items } = await api('/mentors?jobFamily=staff%20software&limit=10');
  const ada = items.find((mentor) => mentor.name === ADA.name);
  assert.ok(ada, 'the seeded mentor Ada Okafor is listed');
  Object.assign(ADA, ada);
  const detail = await api(`/mentors/${ada.mentorId}?tz=Europe/Berlin`);
  ADA.cancellationPolicy = detail.cancellationPolicy;
  const open = new Set(detail.availability.slots.filter((slot) => slot.available).map((slot) => slot.start));
  const soonest = Date.now() + 2 * 86_400_000;
  const candidates = detail.availability.slots.filter(
    (slot) =>
      slot.available &&
      Date.parse(slot.start) > soonest &&
      open.has(new Date(Date.parse(slot.start) + 30 * 60_000).toISOString().replace('.000Z', 'Z')),
  );
  const first = candidates[0];
  const second = candidates.find((slot) => slot.localStart.slice(0, 10) !== first.localStart.slice(0, 10));
  assert.ok(first && second, 'Ada has two 60-minute openings on different days');
  // A third, for the live-availability step: clear of both sessions above (60 minutes each).
  const taken = new Set([first, second].flatMap((slot) => [Date.parse(slot.start), Date.parse(slot.start) + 30 * 60_000]));
  const live = candidates.find((slot) => !taken.has(Date.parse(slot.start)) && !taken.has(Date.parse(slot.start) + 30 * 60_000));
  assert.ok(live, 'Ada has a third opening for the live step');
  return { booked: first, declined: second, live };
}

const POLICY_LABELS = { flexible: 'Flexible', moderate: 'Moderate', strict: 'Strict' };
// The contract's refund table ("Commitments"), as the test's own oracle: at least `hours` before the start -> `share`.
const REFUND_TIERS = {
  flexible: [{ hours: 2, share: 1 }],
  moderate: [{ hours: 24, share: 1 }, { hours: 2, share: 0.5 }],
  strict: [{ hours: 72, share: 1 }, { hours: 24, share: 0.5 }],
};

function refundNow(policy, start, amount) {
  const tier = REFUND_TIERS[policy].find((t) => Date.parse(start) - Date.now() >= t.hours * 3_600_000);
  return tier ? Math.floor(amount * tier.share + 0.5) : 0;
}

/** Intl puts narrow or no-break spaces before AM/PM, depending on its ICU version. */
function spaces(text) {
  return text.replace(/[\u202f\u00a0]/g, ' ');
}

/** An instant as the client writes it with its day (formatDateTime), in a zone. */
function dateTimeIn(zone, instant) {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(new Date(instant));
}

/** The calendar day (YYYY-MM-DD) of an instant in a zone: which day button shows it. */
function dayIn(zone, instant) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(instant));
}

async function chooseSlot(page, slot, zone) {
  await page.locator(`.calendar [data-day="${dayIn(zone, slot.start)}"]`).click();
  await page.locator(`.slots [data-start="${slot.start}"]`).click();
  await page.locator('fieldset.durations').waitFor();
}

function duration(page, minutes) {
  return page.locator(`input[name="duration"][value="${minutes}"]`);
}

function dollars(amount) {
  return `$${(amount / 100).toFixed(2)}`;
}

// ------------------------------------------------------------------ the journey

let mentee; // Maya, in Berlin
let rival; // Jonas, in New York: a second browser context, another user
let slots;
let bookingId; // the mentee's confirmed booking

before(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  slots = await pickSlots();
  mentee = await newPage('mentee', { timezoneId: 'Europe/Berlin' });
  rival = await newPage('rival', { timezoneId: 'America/New_York' });
});

after(async () => {
  await browser?.close();
  const saved = readdirSync(SHOTS).filter((name) => name.endsWith('.png'));
  console.log(`# ${saved.length} screenshots in ${SHOTS}`);
});

step('the directory lists mentors, pages with nextCursor, and is keyboard reachable', async () => {
  const { page } = mentee;
  await open(mentee);
  await page.getByRole('heading', { level: 1, name: 'Find a mentor' }).waitFor();
  await assert.doesNotReject(resultCount(page).filter({ hasText: /^12 mentors on page 1\.$/ }).waitFor());
  assert.equal(await page.locator('.mentor-card').count(), 12);

  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({
    text: document.activeElement.textContent,
    outline: getComputedStyle(document.activeElement).outlineStyle,
  }));
  assert.deepEqual(focused, { text: 'Skip to content', outline: 'solid' });

  const second = page.waitForRequest((request) => request.url().includes('/mentors?') && request.url().includes('cursor='));
  await page.getByRole('button', { name: 'Next page' }).click();
  await second;
  await resultCount(page).filter({ hasText: 'on page 2' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Previous page' }).isEnabled(), true);
  await page.getByRole('button', { name: 'Previous page' }).click();
  await resultCount(page).filter({ hasText: 'on page 1' }).waitFor();
  await shot(mentee, 'directory');
});

step('a mentee signs in from the picker of seeded users', async () => {
  const submit = await signIn(mentee, MAYA);
  await shot(mentee, 'sign-in-picker');
  await submit();
});

step('the search box and sort query the directory; each filter option shows how many mentors it gives', async () => {
  const { page } = mentee;
  await open(mentee);
  await resultCount(page).filter({ hasText: 'on page 1' }).waitFor();
  const levels = await page.getByLabel('Experience level', { exact: true }).locator('option').allTextContents();
  assert.ok(levels.slice(1).every((label) => /\(\d+\)$/.test(label)), `facet counts beside the levels: ${levels}`);
  await page.locator('.result-total').filter({ hasText: /^\d+ mentors in all\.$/ }).waitFor();

  await page.getByLabel('Keywords', { exact: true }).fill('ENGINEER');
  await page.getByLabel('Sort by', { exact: true }).selectOption('price');
  const searched = page.waitForRequest((request) => /\/mentors\?/.test(request.url()) && request.url().includes('q=ENGINEER'));
  await page.getByRole('button', { name: 'Search' }).click();
  const query = new URL((await searched).url()).searchParams;
  assert.equal(query.get('sort'), 'price');
  await resultCount(page).filter({ hasText: 'match your filters' }).waitFor();
  const texts = await page.locator('.mentor-card').allTextContents();
  assert.ok(texts.length > 0);
  const rates = texts.map((text) => Number(/\$([\d,.]+) \/ hour/.exec(text)[1].replace(/,/g, '')));
  assert.deepEqual(rates, [...rates].sort((a, b) => a - b), 'cheapest first');
  const total = Number(/^(\d+) mentors? in all/.exec(await page.locator('.result-total').textContent())[1]);
  assert.ok(total >= texts.length, `${total} in all, ${texts.length} on the page`);
  await shot(mentee, 'directory-search');
});

step('the four filters narrow the directory (dollars sent as minor units); no match shows the empty state', async () => {
  const { page } = mentee;
  await open(mentee);
  await page.getByLabel('Maximum', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('heading', { name: 'No mentors match these filters' }).waitFor();
  await shot(mentee, 'directory-empty');

  await page.getByLabel('Job family', { exact: true }).fill('engineer');
  await page.getByLabel('Minimum', { exact: true }).fill('100');
  await page.getByLabel('Maximum', { exact: true }).fill('250');
  await page.getByLabel('Experience level', { exact: true }).selectOption('staff');
  const searched = page.waitForRequest((request) => /\/mentors\?/.test(request.url()) && request.url().includes('experienceLevel=staff'));
  await page.getByRole('button', { name: 'Search' }).click();
  const query = new URL((await searched).url()).searchParams;
  assert.equal(query.get('jobFamily'), 'engineer');
  assert.equal(query.get('minRate'), '10000');
  assert.equal(query.get('maxRate'), '25000');
  assert.equal(query.get('availability'), null);
  assert.equal(query.get('tz'), 'Europe/Berlin');
  await resultCount(page).filter({ hasText: 'match your filters' }).waitFor();
  const cards = page.locator('.mentor-card');
  const count = await cards.count();
  const status = await resultCount(page).textContent();
  assert.match(status, new RegExp(`^${count} mentors? match your filters\\.$`));
  for (const text of await cards.allTextContents()) {
    assert.match(text, /engineer/i);
    assert.match(text, /Staff\+/);
    const rate = Number(/\$([\d,.]+) \/ hour/.exec(text)[1].replace(/,/g, ''));
    assert.ok(rate >= 100 && rate <= 250, `rate ${rate} is within $100–$250`);
  }
  await page.getByRole('link', { name: ADA.name }).waitFor();
  await shot(mentee, 'directory-filtered');
});

step("a mentor's profile shows bio, specialties, reviews and a 30-day calendar in the browser's zone", async () => {
  const { page } = mentee;
  const profileRequest = page.waitForRequest((request) => request.url().includes(`/mentors/${ADA.mentorId}?`));
  await page.getByRole('link', { name: ADA.name }).click();
  assert.equal(new URL((await profileRequest).url()).searchParams.get('tz'), 'Europe/Berlin');
  await page.getByRole('heading', { level: 1, name: ADA.name }).waitFor();
  await page.getByRole('heading', { name: 'About' }).waitFor();
  assert.match(await page.locator('.bio').textContent(), /Staff Software Engineer at Northwind Labs/);
  assert.ok((await page.getByRole('list', { name: 'Specialties' }).locator('li').allTextContents()).includes('system design'));
  await page.getByRole('heading', { name: /^Reviews \(\d+\)$/ }).waitFor();
  assert.ok((await page.locator('.review').count()) >= 1);
  assert.equal(await page.getByLabel('Show times in').inputValue(), 'Europe/Berlin');
  assert.match(await page.locator('.policy-line').textContent(), new RegExp(`^${POLICY_LABELS[ADA.cancellationPolicy]} cancellation policy: Full refund if cancelled at least`));
  assert.equal(await page.locator('.calendar .day').count(), 31); // today and the next 30 days
  assert.ok((await page.locator('.slots .slot').count()) >= 1);
});

/**
 * The page's live-availability socket answers subscriptions but never delivers a change: what a
 * person sees when their click beats the server's message (the hold then answers 409).
 */
async function holdBackLiveUpdates(watch) {
  await watch.page.routeWebSocket(
    (url) => url.protocol === 'ws:' || url.protocol === 'wss:',
    (socket) => {
      socket.onMessage((text) => {
        const message = JSON.parse(String(text));
        if (message.action === 'subscribe') socket.send(JSON.stringify({ type: 'subscribed', mentorId: message.mentorId }));
      });
    },
  );
}

/** The JSON frames a page sends over its WebSockets, as they are sent. */
function sentFrames(watch) {
  const frames = [];
  watch.page.on('websocket', (socket) => socket.on('framesent', (frame) => frames.push(JSON.parse(String(frame.payload)))));
  return frames;
}

step('the rival (another user, another browser context) opens the same calendar before the booking', async () => {
  const { page } = rival;
  await holdBackLiveUpdates(rival);
  await open(rival);
  const submit = await signIn(rival, JONAS);
  await submit();
  await open(rival, `#/mentors/${ADA.mentorId}`);
  assert.equal(await page.getByLabel('Show times in').inputValue(), 'America/New_York');
  await chooseSlot(page, slots.booked, 'America/New_York');
  await duration(page, 60).check();
  await page.getByLabel('What would you like to talk about?').fill('Career growth towards a staff role');
});

step('booking form: duration changes the price, the topic needs 10 characters', async () => {
  const { page } = mentee;
  await chooseSlot(page, slots.booked, 'Europe/Berlin');
  const rate = ADA.hourlyRate.amount;
  for (const minutes of [30, 90, 60]) {
    if (await duration(page, minutes).isDisabled()) continue; // 90 needs a third open slot
    await duration(page, minutes).check();
    await page.locator('.price-summary').filter({ hasText: `Total ${dollars(Math.floor((2 * rate * minutes + 60) / 120))}` }).waitFor();
  }
  const topic = page.getByLabel('What would you like to talk about?');
  await topic.fill('  Too short ');
  await page.getByText('9 / 1,000 characters (at least 10)').waitFor();
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.getByText('Write at least 10 characters (9 so far).').waitFor();
  assert.equal(await topic.getAttribute('aria-invalid'), 'true');
  await topic.fill(TOPIC);
  await page.getByText(`${TOPIC.length} / 1,000 characters (at least 10)`).waitFor();
  await shot(mentee, 'booking-form');
});

step('the mentee holds the time (with an Idempotency-Key) and sees the 5-minute countdown', async () => {
  const { page } = mentee;
  const hold = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/bookings'));
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  const request = await hold;
  assert.match(request.headers()['idempotency-key'] || '', /^[0-9a-f-]{32,36}$/);
  assert.deepEqual(JSON.parse(request.postData()), {
    mentorId: ADA.mentorId,
    start: slots.booked.start,
    durationMinutes: 60,
    topic: TOPIC,
    timezone: 'Europe/Berlin',
  });
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  bookingId = /#\/checkout\/([^/?]+)$/.exec(page.url())[1];
  const timer = page.getByRole('timer');
  const first = await timer.textContent();
  assert.match(first, /^[45]:\d\d$/);
  await page.waitForFunction((before) => document.querySelector('.countdown').textContent !== before, first);
  await page.getByText(`Pay ${dollars(ADA.hourlyRate.amount)}`).waitFor();
  // The mentor's cancellation policy, with this session's deadlines in the mentee's zone, comes
  // before the card.
  const policy = page.getByRole('region', { name: `Cancellation policy: ${POLICY_LABELS[ADA.cancellationPolicy]}` });
  await policy.waitFor();
  const tier = REFUND_TIERS[ADA.cancellationPolicy].find((t) => Date.parse(slots.booked.start) - t.hours * 3_600_000 > Date.now());
  const until = new Date(Date.parse(slots.booked.start) - tier.hours * 3_600_000);
  const share = tier.share === 1 ? 'full' : 'half';
  assert.equal(
    spaces(await policy.locator(`li[data-share="${share}"]`).textContent()),
    `${share === 'full' ? 'Full' : 'Half'} refund if you cancel by ${spaces(dateTimeIn('Europe/Berlin', until))}.`,
  );
  assert.ok(
    await policy.evaluate((section) => Boolean(section.compareDocumentPosition(document.querySelector('form.payment')) & Node.DOCUMENT_POSITION_FOLLOWING)),
    'the policy is shown before the payment form',
  );
  await shot(mentee, 'checkout-hold-countdown');
});

step('the mentee pays with the test Visa card and gets the meeting link', async () => {
  const { page } = mentee;
  await page.getByLabel('Card (test mode)').selectOption('pm_card_visa');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('heading', { level: 1, name: 'You are booked' }).waitFor();
  const link = await page.locator('.meeting-link').getAttribute('href');
  assert.match(link, /^https:\/\/\S+$/);
  await shot(mentee, 'booking-confirmed');
});

step('the rival cannot take the same slot: slot_unavailable, then the slot shows as booked', async () => {
  const { page } = rival;
  expectHttpError(rival, 409, '/bookings');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  const alert = page.locator('.booking-messages [role="alert"]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /That time was just taken/);
  assert.match(await alert.textContent(), /slot_unavailable/);
  // The calendar is read again after the 409: the slot turns into a disabled "booked" one.
  const slot = page.locator(`.slots [data-start="${slots.booked.start}"]:disabled`);
  await slot.waitFor();
  assert.match(await slot.getAttribute('aria-label'), /booked$/);
  await shot(rival, 'rival-slot-unavailable');

  await page.reload();
  await page.waitForSelector('html[data-ready="true"]');
  await page.locator(`.calendar [data-day="${dayIn('America/New_York', slots.booked.start)}"]`).click();
  assert.equal(await page.locator(`.slots [data-start="${slots.booked.start}"]`).isDisabled(), true);
});

step('a declined card shows the error and frees the slot', async () => {
  const { page } = mentee;
  await open(mentee, `#/mentors/${ADA.mentorId}`);
  await chooseSlot(page, slots.declined, 'Europe/Berlin');
  await duration(page, 30).check();
  await page.getByLabel('What would you like to talk about?').fill('Promotion packet review for staff level');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  await page.getByLabel('Card (test mode)').selectOption('pm_card_chargeDeclined');
  expectHttpError(mentee, 402, '/confirm');
  await page.getByRole('button', { name: /^Pay / }).click();
  const alert = page.locator('.outcome [role="alert"]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Payment declined/);
  assert.match(await alert.textContent(), /payment_declined/);
  await shot(mentee, 'payment-declined');

  // Free again, for everyone: the rival can hold it now (and lets it go).
  const rivalPage = rival.page;
  await open(rival, `#/mentors/${ADA.mentorId}`);
  await rivalPage.locator(`.calendar [data-day="${dayIn('America/New_York', slots.declined.start)}"]`).click();
  const freed = rivalPage.locator(`.slots [data-start="${slots.declined.start}"]`);
  assert.equal(await freed.isEnabled(), true);
  await freed.click();
  await duration(rivalPage, 30).check();
  await rivalPage.getByLabel('What would you like to talk about?').fill('Taking the freed slot for a quick chat');
  await rivalPage.getByRole('button', { name: 'Continue to payment' }).click();
  await rivalPage.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  await shot(rival, 'rival-holds-freed-slot');
  await rivalPage.getByRole('button', { name: 'Cancel and release the time' }).click();
  await rivalPage.getByRole('heading', { level: 1, name: ADA.name }).waitFor();
});

step('live: another context holding a slot greys it out here within 5 s, without a reload; its release frees it', async () => {
  // Two contexts side by side on Ada's profile: the watcher (not signed in, in Tokyo) and the
  // rival, who holds a time through the client and then releases it.
  const watcher = await newPage('watcher', { timezoneId: 'Asia/Tokyo' });
  const frames = sentFrames(watcher);
  const { page } = watcher;
  await open(watcher, `#/mentors/${ADA.mentorId}`);
  await page.locator('section.booking[data-live="live"]').waitFor();
  assert.deepEqual(frames, [{ action: 'subscribe', mentorId: ADA.mentorId }]);
  await page.getByText('Live: times taken or freed by others update here').waitFor();
  await chooseSlot(page, slots.live, 'Asia/Tokyo');
  await page.getByLabel('What would you like to talk about?').fill('Watching this time while someone takes it');
  await page.evaluate(() => {
    window.notReloaded = true;
  });
  const slot = page.locator(`.slots [data-start="${slots.live.start}"]`);
  assert.equal(await slot.isEnabled(), true);

  const rivalPage = rival.page;
  await open(rival, `#/mentors/${ADA.mentorId}`);
  await chooseSlot(rivalPage, slots.live, 'America/New_York');
  await duration(rivalPage, 30).check();
  await rivalPage.getByLabel('What would you like to talk about?').fill('Taking the time the watcher is looking at');
  const held = rivalPage.waitForResponse((response) => response.request().method() === 'POST' && response.url().endsWith('/bookings'));
  await rivalPage.getByRole('button', { name: 'Continue to payment' }).click();
  assert.equal((await held).status(), 201);
  const heldAt = Date.now();
  await page.locator(`.slots [data-start="${slots.live.start}"]:disabled`).waitFor({ timeout: 5000 });
  const greyedAfter = Date.now() - heldAt;
  assert.ok(greyedAfter < 5000, `greyed out ${greyedAfter} ms after the hold`);
  assert.match(await slot.getAttribute('aria-label'), /booked$/);
  // The watcher had chosen that time: the choice is withdrawn, with a message, and the topic kept.
  await page.locator('.booking-messages [role="alert"]').filter({ hasText: 'Someone else has just taken' }).waitFor();
  await page.getByText('Choose a start time to continue.').waitFor();
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'no reload');
  await shot(watcher, 'live-slot-taken-by-another-context');
  await shot(rival, 'live-the-other-context-holds');

  await rivalPage.getByRole('button', { name: 'Cancel and release the time' }).click();
  const releasedAt = Date.now();
  await page.locator(`.slots [data-start="${slots.live.start}"]:enabled`).waitFor({ timeout: 5000 });
  const freedAfter = Date.now() - releasedAt;
  assert.ok(freedAfter < 5000, `free again ${freedAfter} ms after the release`);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'no reload');
  await slot.click();
  await page.getByLabel('What would you like to talk about?').waitFor();
  assert.equal(await page.getByLabel('What would you like to talk about?').inputValue(), 'Watching this time while someone takes it');
  await shot(watcher, 'live-slot-free-again');
  console.log(`# live availability: greyed out ${greyedAfter} ms after the hold, freed ${freedAfter} ms after the release`);

  // A dropped socket comes back by itself (after 0.5-1 s), subscribes again and re-reads.
  const reread = page.waitForRequest((request) => request.url().includes(`/mentors/${ADA.mentorId}/availability`));
  await page.evaluate(() => window.mentorBookingApp.live.socket.close());
  await page.locator('section.booking[data-live="reconnecting"]').waitFor();
  await page.getByText('Live updates interrupted; reconnecting…').waitFor();
  await page.locator('section.booking[data-live="live"]').waitFor({ timeout: 5000 });
  await reread;
  assert.deepEqual(frames.filter((frame) => frame.action === 'subscribe').length, 2);

  // Leaving the profile unsubscribes (and closes the socket: nothing else is watched).
  await page.locator('[data-nav="directory"]').click();
  await page.getByRole('heading', { level: 1, name: 'Find a mentor' }).waitFor();
  await new Promise((done) => setTimeout(done, 300));
  assert.deepEqual(frames.at(-1), { action: 'unsubscribe', mentorId: ADA.mentorId });
  await watcher.page.context().close();
});

step('"My sessions" lists the confirmed session; Join gives the meeting link', async () => {
  const { page } = mentee;
  await page.getByRole('link', { name: 'My sessions' }).click();
  await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
  const item = page.locator(`.booking-item[data-booking-id="${bookingId}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), /Ada Okafor/);
  assert.match(await item.textContent(), new RegExp(TOPIC));
  assert.match(await item.textContent(), /Confirmed/);
  await item.getByRole('button', { name: 'Join' }).click();
  await item.locator('.meeting-link').waitFor();
  assert.ok(await item.getByRole('button', { name: 'Reschedule' }).isVisible());
  assert.ok(await item.getByRole('button', { name: 'Cancel' }).isVisible());
  await shot(mentee, 'my-sessions');
  await page.getByRole('link', { name: 'Past' }).click();
  await page.getByText('No past sessions yet.').waitFor();
});

step('the mentor sees the booking, the inbox, and publishes and removes availability', async () => {
  const mentor = await newPage('mentor', { timezoneId: 'Europe/London' });
  const { page } = mentor;
  await open(mentor);
  const submit = await signIn(mentor, ADA.name);
  await submit();
  await open(mentor, '#/mentor?tab=bookings');
  const booking = page.locator(`.booking-item[data-booking-id="${bookingId}"]`);
  await booking.waitFor();
  assert.match(await booking.textContent(), new RegExp(`With ${MAYA}`));
  await shot(mentor, 'mentor-bookings');

  await page.getByRole('link', { name: 'Inbox' }).click();
  await page.locator('.notification').filter({ hasText: 'New session booked' }).first().waitFor();
  await shot(mentor, 'mentor-inbox');

  await page.getByRole('link', { name: 'Mentor tools' }).click();
  await page.getByRole('link', { name: 'Availability' }).click();
  const dayText = dayIn('Europe/London', Date.now() + 20 * 86_400_000);
  const [year, month, dayOfMonth] = dayText.split('-').map(Number);
  const dayName = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' })
    .format(Date.UTC(year, month - 1, dayOfMonth, 12));
  await page.getByLabel('Day', { exact: true }).fill(dayText);
  await page.getByLabel('From', { exact: true }).fill('06:00');
  await page.getByLabel('Until', { exact: true }).fill('07:00');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText(/^Published: 2 slots from 6:00 AM to 7:00 AM/).waitFor();
  const row = page.getByRole('region', { name: dayName }).locator('.slot-rows li').filter({ hasText: '6:30 AM' });
  await row.first().waitFor();
  assert.match(await row.first().textContent(), /open/);
  await shot(mentor, 'mentor-availability');
  const removing = page.waitForResponse((response) => response.request().method() === 'DELETE');
  await row.first().getByRole('button', { name: /^Remove 6:30 AM/ }).click();
  assert.equal((await removing).status(), 204);
  await page.getByText(/^Removed 6:30 AM/).waitFor();

  await page.getByRole('link', { name: 'Profile and settings' }).click();
  await page.getByLabel('Hourly rate (US$)').fill('230');
  const stricter = ADA.cancellationPolicy === 'strict' ? 'flexible' : 'strict';
  assert.equal(await page.getByLabel('Cancellation policy').inputValue(), ADA.cancellationPolicy);
  await page.getByLabel('Cancellation policy').selectOption(stricter);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved. Your rate is now 230 US$ per hour.').waitFor();
  assert.equal((await api(`/mentors/${ADA.mentorId}`)).cancellationPolicy, stricter);
  await shot(mentor, 'mentor-profile-saved');
});

step('before cancelling, the mentee sees the refund under the policy the booking was made under; after, the refund', async () => {
  const { page } = mentee;
  await open(mentee, '#/sessions');
  const item = page.locator(`.booking-item[data-booking-id="${bookingId}"]`);
  await item.waitFor();
  const label = POLICY_LABELS[ADA.cancellationPolicy]; // not the policy Ada has just switched to
  assert.match(await item.locator('.policy-line').textContent(), new RegExp(`^${label} cancellation policy$`));
  const price = ADA.hourlyRate.amount; // 60 minutes at Ada's rate when it was booked
  const refund = refundNow(ADA.cancellationPolicy, slots.booked.start, price);
  const expected = refund === price
    ? `You get a full refund of ${dollars(refund)} (${label} policy).`
    : refund > 0
      ? `You get ${dollars(refund)} of the ${dollars(price)} you paid back (${label} policy).`
      : `Nothing is refunded: it is too close to the start (${label} policy; you paid ${dollars(price)}).`;
  await item.getByRole('button', { name: 'Cancel' }).click();
  const preview = item.locator('.refund-preview');
  await preview.waitFor();
  assert.equal(await preview.textContent(), expected);
  await shot(mentee, 'cancel-shows-refund-first');
  const cancelled = page.waitForResponse((response) => response.url().includes(`/bookings/${bookingId}/cancel`));
  await item.getByRole('button', { name: 'Yes, cancel it' }).click();
  assert.equal((await cancelled).status(), 200);
  const done = item.locator('[role="status"]').filter({ hasText: /^Cancelled\./ });
  await done.waitFor();
  assert.match(await done.textContent(), new RegExp(`^Cancelled\\. Cancelled by you · \\${dollars(refund)} (refunded|to be refunded)`));
  await open(mentee, `#/bookings/${bookingId}`);
  await page.locator('.settlement').filter({ hasText: `Cancelled by you · ${dollars(refund)}` }).waitFor();
  assert.match(await page.locator('.badge').first().textContent(), /Cancelled/);
  await shot(mentee, 'cancelled-with-refund');
});

/** An ICS feed server on 127.0.0.1 (the local stack accepts loopback calendar URLs): path -> [status, body]. */
async function icsServer() {
  const documents = new Map();
  const server = createServer((request, response) => {
    const [status, body] = documents.get(request.url) || [404, 'not found'];
    response.writeHead(status, { 'Content-Type': 'text/calendar; charset=utf-8' });
    response.end(body);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    serve: (path, status, body) => documents.set(path, [status, body]),
    url: (path) => `http://127.0.0.1:${server.address().port}${path}`,
    close: () => new Promise((done) => server.close(done)),
  };
}

function icsStamp(instant) {
  return new Date(instant).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function weekdayIn(zone, instant) {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'long' }).format(new Date(instant));
}

function timeIn(zone, instant) {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(new Date(instant));
}

step('a new mentor sets a weekly schedule in Tokyo; a mentee in Berlin sees the rule-made times in her zone; a calendar blocks one, fails closed', async () => {
  const scheduler = await newPage('new-mentor', { timezoneId: 'Asia/Tokyo' });
  const { page } = scheduler;
  const feeds = await icsServer();
  try {
    // Someone new signs in and creates a mentor profile in Tokyo.
    await open(scheduler);
    await page.getByRole('button', { name: 'Sign in' }).first().click();
    await page.getByText('Someone new').click();
    await page.getByLabel('Name', { exact: true }).fill('Kenji Sato');
    await page.getByLabel('Email', { exact: true }).fill('kenji.sato@example.com');
    await page.getByLabel('Time zone', { exact: true }).selectOption('Asia/Tokyo');
    await page.getByRole('button', { name: 'Sign in as this person' }).click();
    await page.getByText('Signed in as Kenji Sato').waitFor();
    expectHttpError(scheduler, 404, '/mentors/me'); // no profile yet: the form offers to create one
    await open(scheduler, '#/mentor?tab=profile');
    await page.getByLabel('Job title').fill('Engineering Manager');
    await page.getByLabel('Company').fill('Sakura Systems');
    await page.getByLabel('Years of experience').fill('9');
    await page.getByLabel('Hourly rate (US$)').fill('150');
    await page.getByLabel('Your time zone').selectOption('Asia/Tokyo');
    await page.getByLabel('Bio').fill('Engineering manager in Tokyo; happy to talk about first-time management.');
    await page.getByRole('button', { name: 'Create my mentor profile' }).click();
    await page.getByText('Saved. Your rate is now 150 US$ per hour.').waitFor();
    const mentorId = await page.evaluate(() => window.mentorBookingApp.user.sub);

    // The weekly schedule: Mondays and Thursdays 09:00-11:00 Tokyo time, the second Thursday off.
    expectHttpError(scheduler, 404, '/mentors/me/schedule'); // none set yet (the contract's 404)
    await page.getByRole('link', { name: 'Weekly schedule' }).click();
    await page.getByText('You have no weekly schedule yet').waitFor();
    assert.equal(await page.getByLabel('Time zone of these hours').inputValue(), 'Asia/Tokyo');
    for (const day of ['Monday', 'Thursday']) {
      await page.getByRole('button', { name: `Add hours on ${day}` }).click();
      await page.getByLabel(`${day} until`, { exact: true }).selectOption('11:00');
    }
    const thursdays = [];
    for (let offset = 1; thursdays.length < 2; offset += 1) {
      const instant = Date.now() + offset * 86_400_000;
      if (weekdayIn('Asia/Tokyo', instant) === 'Thursday') thursdays.push(dayIn('Asia/Tokyo', instant));
    }
    const dayOff = thursdays[1];
    await page.getByLabel('Date', { exact: true }).fill(dayOff);
    await page.getByRole('button', { name: 'Add override' }).click();
    assert.equal(await page.getByLabel(`Unavailable all day on ${dayOff}`).isChecked(), true);
    await page.getByLabel('Minimum notice (minutes)').fill('120');
    await page.getByLabel('Booking horizon (days)').fill('30');
    await page.getByLabel('Most sessions per day').fill('2');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Saved: 2 weekly intervals and 1 override in Asia/Tokyo.').waitFor();
    await shot(scheduler, 'mentor-weekly-schedule');
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.equal(await page.getByLabel('Monday until', { exact: true }).inputValue(), '11:00');
    assert.equal(await page.getByLabel('Thursday from', { exact: true }).inputValue(), '09:00');
    assert.equal(await page.getByLabel('Most sessions per day').inputValue(), '2');
    await page.getByRole('group', { name: /^Override on / }).waitFor();

    // What mentees are offered: only what the rules make (checked through the API in Tokyo)...
    const offered = (await api(`/mentors/${mentorId}?tz=Asia/Tokyo`)).availability.slots.filter((slot) => slot.available);
    assert.ok(offered.length >= 4, `rule-made slots are offered: ${offered.length}`);
    for (const slot of offered) {
      assert.ok(['Monday', 'Thursday'].includes(weekdayIn('Asia/Tokyo', slot.start)), slot.localStart);
      assert.match(slot.localStart, /T(09|10):[03]0:00\+09:00$/);
      assert.notEqual(slot.localStart.slice(0, 10), dayOff);
    }
    // ...and the mentee in Berlin sees them at her own wall-clock times.
    const [first, second] = offered;
    const { page: menteePage } = mentee;
    await open(mentee, `#/mentors/${mentorId}`);
    await menteePage.getByRole('heading', { level: 1, name: 'Kenji Sato' }).waitFor();
    await menteePage.locator(`.calendar [data-day="${dayIn('Europe/Berlin', first.start)}"]`).click();
    const firstButton = menteePage.locator(`.slots [data-start="${first.start}"]`);
    assert.equal(spaces(await firstButton.textContent()), spaces(timeIn('Europe/Berlin', first.start)));
    assert.equal(await firstButton.isEnabled(), true);
    await shot(mentee, 'mentee-sees-rule-made-slots');

    // Live on a mentor with rule-made times only: another mentee's hold greys one out here, and
    // its release frees it again (the page re-reads when a message tells it nothing new).
    await menteePage.locator('section.booking[data-live="live"]').waitFor();
    const { users } = await api('/_local/users');
    const { role, ...jonas } = users.find((user) => user.name === JONAS);
    const { token } = await api('/_local/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(jonas) });
    const asJonas = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    await menteePage.locator(`.calendar [data-day="${dayIn('Europe/Berlin', second.start)}"]`).click();
    const secondButton = menteePage.locator(`.slots [data-start="${second.start}"]`);
    assert.equal(await secondButton.isEnabled(), true);
    const other = await api('/bookings', {
      method: 'POST',
      headers: asJonas,
      body: JSON.stringify({ mentorId, start: second.start, durationMinutes: 30, topic: 'Holding a rule-made time' }),
    });
    await menteePage.locator(`.slots [data-start="${second.start}"]:disabled`).waitFor({ timeout: 5000 });
    await api(`/bookings/${other.bookingId}/cancel`, { method: 'POST', headers: asJonas, body: '{}' });
    await menteePage.locator(`.slots [data-start="${second.start}"]:enabled`).waitFor({ timeout: 5000 });

    // An ICS feed with a busy event over the first slot: connected, status ok, the slot blocked.
    feeds.serve('/busy.ics', 200, [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//journey//EN',
      'BEGIN:VEVENT', 'UID:dentist@journey', 'DTSTAMP:20261101T000000Z',
      `DTSTART:${icsStamp(first.start)}`, `DTEND:${icsStamp(Date.parse(first.start) + 30 * 60_000)}`,
      'SUMMARY:Dentist', 'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n'));
    await page.getByRole('link', { name: 'Calendars' }).click();
    await page.getByText('No calendars connected.').waitFor();
    await page.getByLabel('Calendar URL').fill(feeds.url('/busy.ics'));
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByText(`Connected and read: ${feeds.url('/busy.ics')}.`).waitFor();
    const connected = page.locator('.calendar-item[data-status="ok"]');
    await connected.waitFor();
    assert.match(await connected.textContent(), /ICS feed OK/);
    assert.match(await connected.textContent(), /Last read /);
    await menteePage.reload(); // busy times are not pushed live: the contract's live messages cover slots, holds and bookings
    await menteePage.waitForSelector('html[data-ready="true"]');
    await menteePage.locator(`.calendar [data-day="${dayIn('Europe/Berlin', first.start)}"]`).click();
    await menteePage.locator(`.slots [data-start="${first.start}"]:disabled`).waitFor();
    await menteePage.locator(`.calendar [data-day="${dayIn('Europe/Berlin', second.start)}"]`).click();
    assert.equal(await menteePage.locator(`.slots [data-start="${second.start}"]`).isEnabled(), true);

    // A URL that cannot be read is refused with the reason.
    await page.getByLabel('Calendar URL').fill(feeds.url('/missing.ics'));
    expectHttpError(scheduler, 422, '/mentors/me/calendars');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const refused = page.locator('.connect-calendar [role="alert"]');
    await refused.waitFor();
    assert.match(await refused.textContent(), /calendar_unreachable/);
    assert.match(await refused.textContent(), /404/);

    // The connected feed breaks: a hold reads it live and is refused; the calendar shows
    // status error with the reason, and the mentee is offered nothing (fail closed).
    feeds.serve('/busy.ics', 500, 'server error');
    await menteePage.locator(`.slots [data-start="${second.start}"]`).click();
    await duration(menteePage, 30).check();
    await menteePage.getByLabel('What would you like to talk about?').fill('First-time manager questions');
    expectHttpError(mentee, 409, '/bookings');
    await menteePage.getByRole('button', { name: 'Continue to payment' }).click();
    await menteePage.locator('.booking-messages [role="alert"]').filter({ hasText: 'slot_unavailable' }).waitFor();
    await menteePage.waitForFunction(() => document.querySelectorAll('.slots .slot:enabled').length === 0);
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    const failing = page.locator('.calendar-item[data-status="error"]');
    await failing.waitFor();
    assert.match(await failing.locator('.calendar-error').textContent(), /^Cannot be read: .*500/);
    await shot(scheduler, 'mentor-calendar-status-error');
  } finally {
    await feeds.close();
  }
  await scheduler.page.context().close();
});

/** A seeded user's bearer token (POST /_local/token with the claims GET /_local/users gives). */
async function tokenFor(name) {
  const { users } = await api('/_local/users');
  const { role, ...claims } = users.find((user) => user.name === name);
  const { token } = await api('/_local/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(claims) });
  return { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
}

step('a mentee joins the waitlist from a full day; a cancellation there becomes an offer in her inbox and waitlist', async () => {
  // Jonas books every open time of Ada's last open day (30-minute sessions, paid), so it is full.
  const asJonas = await tokenFor(JONAS);
  const { slots: adaSlots } = await api(`/mentors/${ADA.mentorId}/availability?tz=Europe/Berlin&from=${encodeURIComponent(new Date(Date.now() + 3 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 29 * 86_400_000).toISOString())}`);
  const openDays = [...new Set(adaSlots.filter((slot) => slot.available).map((slot) => slot.localStart.slice(0, 10)))];
  const fullDay = openDays.at(-1);
  const bookings = [];
  for (const slot of adaSlots.filter((candidate) => candidate.available && candidate.localStart.slice(0, 10) === fullDay)) {
    const held = await api('/bookings', { method: 'POST', headers: asJonas, body: JSON.stringify({ mentorId: ADA.mentorId, start: slot.start, durationMinutes: 30, topic: 'Filling the day up' }) });
    await api(`/bookings/${held.bookingId}/confirm`, { method: 'POST', headers: asJonas, body: JSON.stringify({ paymentMethod: 'pm_card_visa' }) });
    bookings.push(held.bookingId);
  }
  assert.ok(bookings.length >= 1, `Jonas booked ${fullDay} full`);

  const { page } = mentee;
  await open(mentee, `#/mentors/${ADA.mentorId}`);
  const day = page.locator(`.calendar [data-day="${fullDay}"]`);
  assert.match(await day.textContent(), /full$/);
  await day.click();
  const form = page.getByRole('form', { name: /^Waitlist for / });
  await form.waitFor();
  await form.getByLabel('Length').selectOption('30');
  await form.getByLabel('What would you like to talk about?').fill('Any time that opens on this day works for me');
  const joined = page.waitForRequest((request) => request.method() === 'POST' && request.url().includes('/waitlist'));
  await form.getByRole('button', { name: 'Join the waitlist' }).click();
  const sent = JSON.parse((await joined).postData());
  assert.equal(sent.durationMinutes, 30);
  assert.equal(dayIn('Europe/Berlin', Date.parse(sent.to) - 1), fullDay);
  assert.ok(Date.parse(sent.from) > Date.now());
  await page.getByText(`You are on ${ADA.name}'s waitlist for`).waitFor();
  await shot(mentee, 'waitlist-joined-from-full-day');
  await page.getByRole('link', { name: 'See your waitlist' }).click();
  const entry = page.locator('.waitlist-item[data-status="waiting"]');
  await entry.waitFor();
  assert.match(await entry.textContent(), new RegExp(`${ADA.name}.*Waiting`));

  // Jonas cancels one session: the time is offered to Maya as a 30-minute hold, within seconds.
  await api(`/bookings/${bookings[0]}/cancel`, { method: 'POST', headers: asJonas, body: '{}' });
  const offered = page.locator('.waitlist-item[data-status="offered"]');
  for (let attempt = 0; attempt < 20 && !(await offered.count()); attempt += 1) {
    await new Promise((done) => setTimeout(done, 500));
    await page.reload();
    await page.locator('.waitlist-item').first().waitFor();
  }
  await offered.waitFor({ timeout: 1000 });
  await shot(mentee, 'waitlist-offered');
  await page.getByRole('link', { name: 'Inbox' }).click();
  const offer = page.locator('.notification.type-waitlist_offer').first();
  await offer.waitFor();
  await offer.getByRole('link').first().click();
  const held = page.locator('.booking-item.status-held');
  await held.waitFor();
  assert.match(await held.textContent(), new RegExp(ADA.name));
  await held.getByRole('link', { name: 'Pay' }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('heading', { level: 1, name: 'You are booked' }).waitFor();
  await shot(mentee, 'waitlist-offer-paid');
});

step('in AWS mode the client signs in through the Cognito hosted UI (code flow with PKCE, mocked here)', async () => {
  // config.json as the WebConfig output makes it; the hosted UI is answered by route handlers.
  const domain = 'mentor-booking-test.auth.us-east-1.amazoncognito.com';
  const watch = await newPage('cognito', { timezoneId: 'UTC' });
  const { page } = watch;
  const config = { apiUrl: BASE, auth: { mode: 'cognito', domain, clientId: 'client123', scope: 'openid email profile' } };
  await page.route('**/app/config.json', (route) => route.fulfill({ json: config }));
  const authorize = [];
  await page.route(`https://${domain}/oauth2/authorize**`, (route) => {
    authorize.push(new URL(route.request().url()));
    return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Hosted UI</title><h1>Hosted UI</h1>' });
  });
  const claims = { sub: 'cognito-sub-1', email: 'kim@example.com', name: 'Kim Cognito', zoneinfo: 'Asia/Seoul', exp: Math.floor(Date.now() / 1000) + 3600 };
  const idToken = `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.signature`;
  const exchanges = [];
  await page.route(`https://${domain}/oauth2/token`, (route) => {
    exchanges.push(new URLSearchParams(route.request().postData()));
    return route.fulfill({ json: { id_token: idToken, access_token: 'a', token_type: 'Bearer', expires_in: 3600 }, headers: { 'Access-Control-Allow-Origin': '*' } });
  });
  await page.route(`https://${domain}/logout**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Signed out</title>' }));

  await open(watch, '#/sessions');
  await page.getByRole('button', { name: 'Sign in' }).first().click();
  await page.waitForURL(`https://${domain}/oauth2/authorize**`);
  const [sent] = authorize;
  assert.equal(sent.searchParams.get('response_type'), 'code');
  assert.equal(sent.searchParams.get('client_id'), 'client123');
  assert.equal(sent.searchParams.get('redirect_uri'), APP);
  assert.equal(sent.searchParams.get('scope'), 'openid email profile');
  assert.equal(sent.searchParams.get('code_challenge_method'), 'S256');
  assert.match(sent.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);

  // The hosted UI sends the browser back with a code and the state it was given; the client
  // exchanges it and calls the API with the ID token (it has the name, email and zoneinfo claims).
  // The made-up token is refused by the local API (401): the client then signs out and says so.
  expectHttpError(watch, 401, '/me/bookings');
  const apiCall = page.waitForRequest((request) => request.url().startsWith(`${BASE}/me/bookings`));
  await page.goto(`${APP}?code=the-code&state=${encodeURIComponent(sent.searchParams.get('state'))}`);
  assert.equal((await apiCall).headers().authorization, `Bearer ${idToken}`);
  assert.equal(page.url(), `${APP}#/sessions`); // the code is gone from the address bar
  const [exchange] = exchanges;
  assert.equal(exchange.get('grant_type'), 'authorization_code');
  assert.equal(exchange.get('client_id'), 'client123');
  assert.equal(exchange.get('code'), 'the-code');
  assert.equal(exchange.get('redirect_uri'), APP);
  assert.match(exchange.get('code_verifier'), /^[A-Za-z0-9_-]{43,128}$/);
  await page.getByRole('button', { name: 'Sign in' }).first().waitFor();
  await page.locator('[role="alert"]').filter({ hasText: 'unauthorized' }).waitFor();
  await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor();
  await shot(watch, 'cognito-token-refused');
  await watch.page.context().close();
});

step('readable at 320 px wide: nothing scrolls sideways', async () => {
  const { page } = mentee;
  await page.setViewportSize({ width: 320, height: 720 });
  for (const [hash, name] of [['', 'directory-320px'], [`#/mentors/${ADA.mentorId}`, 'profile-320px']]) {
    await open(mentee, hash);
    await page.locator('.mentor-card, .calendar .day').first().waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `${name}: the page is ${width}px wide`);
    await shot(mentee, name);
  }
});
