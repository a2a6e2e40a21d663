// The web client's pure helpers (web/js/format.js), in Node: prices, dollar input, zones.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  addDays,
  canStartAt,
  countdown,
  dayInZone,
  dollarsToMinor,
  formatMoney,
  intervalProblems,
  minorToDollars,
  noShowWindowOpen,
  policyLabel,
  policySummary,
  priceFor,
  refundDeadlines,
  slotsByDay,
  topicProblem,
  toUtcString,
  trimmedLength,
  wallTimes,
  zonedTimeToDate,
  zoneOffsetMinutes,
} from '../../../web/js/format.js';

test('price is rate × minutes / 60, rounded half-up to the cent', () => {
  assert.equal(priceFor(22000, 60), 22000);
  assert.equal(priceFor(22000, 30), 11000);
  assert.equal(priceFor(22000, 90), 33000);
  assert.equal(priceFor(9999, 30), 5000); // 4999.5 -> 5000
  assert.equal(priceFor(9997, 30), 4999); // 4998.5 -> 4999
  assert.equal(priceFor(101, 90), 152); // 151.5 -> 152
  assert.equal(priceFor(100, 30), 50);
  assert.equal(priceFor(1, 30), 1); // 0.5 -> 1
  assert.throws(() => priceFor(100.5, 30), TypeError);
});

test('money is shown in dollars from minor units', () => {
  assert.equal(formatMoney({ amount: 12050, currency: 'USD' }), '$120.50');
  assert.equal(formatMoney({ amount: 22000, currency: 'USD' }), '$220.00');
});

test('dollar filters become minor units', () => {
  assert.equal(dollarsToMinor(''), null);
  assert.equal(dollarsToMinor('  '), null);
  assert.equal(dollarsToMinor('120'), 12000);
  assert.equal(dollarsToMinor('120.5'), 12050);
  assert.equal(dollarsToMinor('$1,200.05'), 120005);
  assert.equal(dollarsToMinor('0'), 0);
  assert.ok(Number.isNaN(dollarsToMinor('-5')));
  assert.ok(Number.isNaN(dollarsToMinor('12.345')));
  assert.ok(Number.isNaN(dollarsToMinor('abc')));
  assert.equal(minorToDollars(12000), '120');
  assert.equal(minorToDollars(12005), '120.05');
});

test('topic length is counted after trimming, in characters', () => {
  assert.equal(trimmedLength('   hello   '), 5);
  assert.equal(trimmedLength('😀😀'), 2);
  assert.match(topicProblem('  too short  '), /at least 10/);
  assert.equal(topicProblem('System design interview'), null);
  assert.match(topicProblem('x'.repeat(1001)), /1,000/);
});

test('wall-clock times in a zone become instants, across daylight saving', () => {
  assert.equal(toUtcString(zonedTimeToDate('2026-11-24', '09:00', 'America/New_York')), '2026-11-24T14:00:00Z');
  assert.equal(toUtcString(zonedTimeToDate('2026-07-01', '09:00', 'America/New_York')), '2026-07-01T13:00:00Z');
  assert.equal(toUtcString(zonedTimeToDate('2026-11-24', '09:30', 'Asia/Kolkata')), '2026-11-24T04:00:00Z');
  assert.equal(toUtcString(zonedTimeToDate('2026-11-24', '00:00', 'UTC')), '2026-11-24T00:00:00Z');
  // Berlin springs forward at 02:00 on 2026-03-29: 02:30 does not exist; it is read at +01:00.
  assert.equal(toUtcString(zonedTimeToDate('2026-03-29', '02:30', 'Europe/Berlin')), '2026-03-29T01:30:00Z');
  // Berlin falls back at 03:00 on 2026-10-25: 02:30 happens twice; the first one is taken.
  assert.equal(toUtcString(zonedTimeToDate('2026-10-25', '02:30', 'Europe/Berlin')), '2026-10-25T00:30:00Z');
  assert.equal(zoneOffsetMinutes(new Date('2026-11-24T12:00:00Z'), 'Europe/Berlin'), 60);
  assert.equal(dayInZone('2026-11-24T23:30:00Z', 'Europe/Berlin'), '2026-11-25');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
});

test('a session needs every one of its 30-minute slots open', () => {
  const slot = (start, available = true) => ({ start, available, localStart: start.replace('Z', '+00:00') });
  const slots = [
    slot('2026-11-24T10:00:00Z'),
    slot('2026-11-24T10:30:00Z'),
    slot('2026-11-24T11:00:00Z', false),
    slot('2026-11-25T09:00:00Z'),
  ];
  assert.equal(canStartAt(slots, '2026-11-24T10:00:00Z', 30), true);
  assert.equal(canStartAt(slots, '2026-11-24T10:00:00Z', 60), true);
  assert.equal(canStartAt(slots, '2026-11-24T10:00:00Z', 90), false);
  assert.equal(canStartAt(slots, '2026-11-24T11:00:00Z', 30), false);
  assert.deepEqual([...slotsByDay(slots).keys()], ['2026-11-24', '2026-11-25']);
});

test('the hold countdown never goes below zero', () => {
  const now = Date.parse('2026-11-24T14:00:00Z');
  assert.deepEqual(countdown('2026-11-24T14:05:00Z', now), { seconds: 300, text: '5:00' });
  assert.deepEqual(countdown('2026-11-24T14:00:09Z', now), { seconds: 9, text: '0:09' });
  assert.deepEqual(countdown('2026-11-24T13:59:00Z', now), { seconds: 0, text: '0:00' });
});

test('the ID token payload is read as UTF-8 JSON (base64url)', async () => {
  const { decodeJwtPayload } = await import('../../../web/js/auth.js');
  const payload = { sub: 'u-1', name: 'Zoë Ærø', email: 'z@example.com', zoneinfo: 'Europe/Oslo', exp: 2000000000 };
  const part = Buffer.from(JSON.stringify(payload)).toString('base64url');
  assert.deepEqual(decodeJwtPayload(`e30.${part}.sig`), payload);
  assert.throws(() => decodeJwtPayload('not-a-token'));
});

test('cancellation policies: summaries and deadlines from the start (CONTRACT "Commitments")', () => {
  assert.equal(policySummary('moderate'), 'Full refund if cancelled at least 24 hours before the start; half at least 2 hours before; none later.');
  assert.equal(policySummary('flexible'), 'Full refund if cancelled at least 2 hours before the start; none later.');
  assert.equal(policySummary('strict'), 'Full refund if cancelled at least 72 hours before the start; half at least 24 hours before; none later.');
  assert.equal(policyLabel('strict'), 'Strict');
  assert.deepEqual(refundDeadlines('moderate', '2026-12-10T10:00:00Z'), [
    { share: 'full', until: '2026-12-09T10:00:00Z' },
    { share: 'half', until: '2026-12-10T08:00:00Z' },
  ]);
  assert.deepEqual(refundDeadlines('strict', '2026-12-10T10:00:00Z').map((tier) => tier.until), ['2026-12-07T10:00:00Z', '2026-12-09T10:00:00Z']);
  assert.deepEqual(refundDeadlines('unknown', '2026-12-10T10:00:00Z'), []);
});

test('a no-show can be reported from 10 minutes after the start to 48 hours after the end', () => {
  const booking = { start: '2026-12-10T10:00:00Z', end: '2026-12-10T11:00:00Z' };
  const at = (iso) => noShowWindowOpen(booking, Date.parse(iso));
  assert.equal(at('2026-12-10T10:09:59Z'), false);
  assert.equal(at('2026-12-10T10:10:00Z'), true);
  assert.equal(at('2026-12-12T11:00:00Z'), true);
  assert.equal(at('2026-12-12T11:00:01Z'), false);
});

test('schedule times are :00/:30 from 00:00 to 24:00; a day\'s intervals must not overlap or run backwards', () => {
  const times = wallTimes();
  assert.equal(times.length, 49);
  assert.deepEqual([times[0], times[1], times[37], times[48]], ['00:00', '00:30', '18:30', '24:00']);
  assert.deepEqual(wallTimes({ from: 1 }).slice(0, 1), ['00:30']);
  assert.deepEqual(intervalProblems([{ start: '09:00', end: '12:00' }, { start: '12:00', end: '24:00' }]), []);
  assert.deepEqual(intervalProblems([{ start: '09:00', end: '09:00' }]), ['09:00–09:00 ends before it starts']);
  assert.deepEqual(intervalProblems([{ start: '09:00', end: '12:00' }, { start: '11:30', end: '13:00' }]), ['09:00–12:00 overlaps 11:30–13:00']);
});
