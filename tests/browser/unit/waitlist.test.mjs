// The waitlist's window for a full day (web/js/views/waitlist.js), in Node.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dayWindow } from '../../../web/js/views/waitlist.js';

test('a full day waits from its start (or the next half hour, today) to the next local midnight', () => {
  const now = Date.parse('2026-12-03T11:50:00Z');
  assert.deepEqual(dayWindow('2026-12-31', 'Europe/Berlin', now), { from: '2026-12-30T23:00:00Z', to: '2026-12-31T23:00:00Z' });
  assert.deepEqual(dayWindow('2026-12-03', 'Europe/Berlin', now), { from: '2026-12-03T12:00:00Z', to: '2026-12-03T23:00:00Z' });
  assert.deepEqual(dayWindow('2026-12-03', 'UTC', Date.parse('2026-12-03T12:00:00Z')), { from: '2026-12-03T12:30:00Z', to: '2026-12-04T00:00:00Z' });
  // A day that DST makes 23 hours long: the window is that long too.
  assert.deepEqual(dayWindow('2027-03-28', 'Europe/Berlin', now), { from: '2027-03-27T23:00:00Z', to: '2027-03-28T22:00:00Z' });
});
