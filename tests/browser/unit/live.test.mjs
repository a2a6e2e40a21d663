// The live-availability client (web/js/live.js) in Node, with a fake WebSocket and fake timers:
// subscribe on open, route availability_changed to the page, unsubscribe on leave, reconnect
// with backoff and re-read after a reconnect.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyAvailabilityChange, LiveAvailability, reconnectDelay } from '../../../web/js/live.js';

class FakeSocket {
  static made = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.made.push(this);
  }

  send(text) {
    assert.equal(this.readyState, 1, 'sent only on an open socket');
    this.sent.push(JSON.parse(text));
  }

  close(code) {
    this.readyState = 3;
    this.closedWith = code;
  }

  // what the server or the network does
  open() {
    this.readyState = 1;
    this.onopen?.();
  }

  receive(message) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }
}

function harness({ url = 'ws://127.0.0.1:9/live' } = {}) {
  FakeSocket.made = [];
  const timers = [];
  const urls = [];
  const live = new LiveAvailability({
    getUrl: async () => {
      urls.push(url);
      return url;
    },
    WebSocketImpl: FakeSocket,
    setTimer: (run, delay) => {
      const timer = { run, delay };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => timers.splice(timers.indexOf(timer), 1),
    random: () => 1,
  });
  const tick = () => new Promise((done) => setImmediate(done));
  return { live, timers, urls, tick, sockets: FakeSocket.made };
}

test('backoff doubles from 1 s up to 30 s, jittered between half and all of it', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map((n) => reconnectDelay(n, () => 1)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.deepEqual([0, 3, 9].map((n) => reconnectDelay(n, () => 0)), [500, 4000, 15000]);
});

test('availability changes update known slots in place and name unknown ones', () => {
  const slots = [
    { start: '2026-12-08T09:00:00Z', localStart: '2026-12-08T10:00:00+01:00', available: true },
    { start: '2026-12-08T09:30:00Z', localStart: '2026-12-08T10:30:00+01:00', available: false },
  ];
  const result = applyAvailabilityChange(slots, [
    { start: '2026-12-08T09:00:00Z', end: '2026-12-08T09:30:00Z', available: false },
    { start: '2026-12-08T09:30:00Z', end: '2026-12-08T10:00:00Z', available: false },
    { start: '2026-12-08T11:00:00Z', end: '2026-12-08T11:30:00Z', available: true },
    { start: '2026-12-08T12:00:00Z', end: '2026-12-08T12:30:00Z', available: false },
  ]);
  assert.deepEqual(result.changed, ['2026-12-08T09:00:00Z']);
  assert.deepEqual(result.unknown, ['2026-12-08T11:00:00Z']); // a taken unknown slot needs nothing
  assert.equal(result.slots[0].available, false);
  assert.equal(result.slots[0].localStart, '2026-12-08T10:00:00+01:00');
  assert.equal(result.slots[1], slots[1], 'unchanged slots are the same objects');
  assert.equal(slots[0].available, true, 'the input list is not modified');
  assert.equal(result.stale, false);
  // A change that changes nothing shown: the page's picture (or the message) is out of date.
  const nothingNew = applyAvailabilityChange(slots, [{ start: '2026-12-08T09:30:00Z', end: '2026-12-08T10:00:00Z', available: false }]);
  assert.deepEqual([nothingNew.changed, nothingNew.unknown, nothingNew.stale], [[], [], true]);
});

test('subscribes once open, hands changes to the page, and unsubscribes and closes on leave', async () => {
  const { live, sockets, tick, urls } = harness();
  const changes = [];
  const statuses = [];
  const stop = live.watch('ada', { onChange: (slots) => changes.push(slots), onStatus: (status) => statuses.push(status) });
  await tick();
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0].url, 'ws://127.0.0.1:9/live');
  sockets[0].open();
  assert.deepEqual(sockets[0].sent, [{ action: 'subscribe', mentorId: 'ada' }]);
  sockets[0].receive({ type: 'subscribed', mentorId: 'ada' });
  assert.equal(statuses.at(-1), 'live');

  const slot = { start: '2026-12-08T09:00:00Z', end: '2026-12-08T09:30:00Z', available: false };
  sockets[0].receive({ type: 'availability_changed', mentorId: 'ada', slots: [slot] });
  sockets[0].receive({ type: 'availability_changed', mentorId: 'someone-else', slots: [slot] });
  sockets[0].receive('not json');
  assert.deepEqual(changes, [[slot]]);

  // A second mentor on the same socket: one more subscribe, no second connection.
  const stopOther = live.watch('bo', {});
  assert.deepEqual(sockets[0].sent.at(-1), { action: 'subscribe', mentorId: 'bo' });
  stopOther();
  assert.deepEqual(sockets[0].sent.at(-1), { action: 'unsubscribe', mentorId: 'bo' });
  assert.equal(sockets[0].closedWith, null);

  stop();
  assert.deepEqual(sockets[0].sent.at(-1), { action: 'unsubscribe', mentorId: 'ada' });
  assert.equal(sockets[0].closedWith, 1000);
  assert.equal(sockets.length, 1);
  assert.equal(urls.length, 1);
});

test('a dropped socket reconnects with growing delays, subscribes again and asks the page to re-read', async () => {
  const { live, sockets, timers, tick } = harness();
  let rereads = 0;
  const statuses = [];
  live.watch('ada', { onReconnect: () => (rereads += 1), onStatus: (status) => statuses.push(status) });
  await tick();
  sockets[0].open();
  sockets[0].receive({ type: 'subscribed', mentorId: 'ada' });
  assert.equal(rereads, 0, 'the first subscription reads nothing again: the page has just read');

  sockets[0].drop();
  assert.equal(statuses.at(-1), 'reconnecting');
  assert.deepEqual(timers.map((timer) => timer.delay), [1000]);
  timers.shift().run();
  await tick();
  sockets[1].drop(); // the server is still away
  assert.deepEqual(timers.map((timer) => timer.delay), [2000]);
  timers.shift().run();
  await tick();
  sockets[2].open();
  assert.deepEqual(sockets[2].sent, [{ action: 'subscribe', mentorId: 'ada' }]);
  assert.equal(rereads, 0, 'not before the subscription is back');
  sockets[2].receive({ type: 'subscribed', mentorId: 'ada' });
  assert.equal(rereads, 1);
  assert.equal(statuses.at(-1), 'live');

  // After a good connection the delay starts again from the bottom.
  sockets[2].drop();
  assert.deepEqual(timers.map((timer) => timer.delay), [1000]);
});

test('leaving while a reconnect is pending cancels it; a server that forgot the connection gets a new one', async () => {
  const { live, sockets, timers, tick } = harness();
  const stop = live.watch('ada', {});
  await tick();
  sockets[0].open();
  sockets[0].drop();
  assert.equal(timers.length, 1);
  stop();
  assert.equal(timers.length, 0, 'no reconnect after leaving the page');

  live.watch('ada', {});
  await tick();
  sockets[1].open();
  sockets[1].receive({ type: 'error', code: 'bad_request' }); // the connection's record expired
  assert.equal(sockets[1].closedWith, 1000);
  assert.equal(timers.length, 1);
  timers.shift().run();
  await tick();
  assert.equal(sockets.length, 3);
});

test('without WebSocket support the page is told and nothing is attempted', () => {
  const live = new LiveAvailability({ getUrl: async () => 'ws://x', WebSocketImpl: null });
  const statuses = [];
  live.watch('ada', { onStatus: (status) => statuses.push(status) })();
  assert.deepEqual(statuses, ['unavailable']);
});
