// Live availability (CONTRACT "Live availability"): one WebSocket per tab, from GET /realtime,
// subscribed to the mentors the open page shows. `availability_changed` messages go to the
// page's handler; when the socket closes without being asked to, it reconnects with a growing,
// jittered delay, subscribes again, and tells the page to re-read what it may have missed.
// Nothing here touches the DOM, so the Node unit tests drive it with a fake WebSocket.

export const RECONNECT_BASE_MS = 1000;
export const RECONNECT_MAX_MS = 30_000;

/**
 * Delay before reconnect attempt `attempt` (0, 1, 2, ...): 1 s, 2 s, 4 s ... up to 30 s, each
 * between half and all of that ("equal jitter"), so many tabs dropped at once do not come back at
 * once. `random` is Math.random (or a fixed value in tests).
 */
export function reconnectDelay(attempt, random = Math.random) {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Apply an `availability_changed` message's slots ({start, end, available}, UTC) to a page's
 * slot list (the API's Slot objects). Returns {slots, changed, unknown, stale}: a new list with
 * the known slots updated, the starts whose availability flipped, the open starts the list did
 * not have (newly published time: the page re-reads the calendar to get their local times), and
 * whether the message changed nothing the page shows. A message says what changed, so one that
 * changes nothing means the page's picture is out of date (or the server's message is): the page
 * re-reads the calendar rather than trust either.
 */
export function applyAvailabilityChange(slots, changes) {
  const byStart = new Map((changes || []).map((change) => [Date.parse(change.start), Boolean(change.available)]));
  const changed = [];
  const seen = new Set();
  const next = slots.map((slot) => {
    const at = Date.parse(slot.start);
    if (!byStart.has(at)) return slot;
    seen.add(at);
    const available = byStart.get(at);
    if (available === slot.available) return slot;
    changed.push(slot.start);
    return { ...slot, available };
  });
  const unknown = (changes || []).filter((change) => !seen.has(Date.parse(change.start)) && change.available).map((change) => change.start);
  return { slots: next, changed, unknown, stale: changed.length === 0 && unknown.length === 0 };
}

/**
 * The tab's live connection. `getUrl()` resolves to the WebSocket URL (GET /realtime).
 * `watch(mentorId, {onChange, onReconnect, onStatus})` subscribes and returns a function that
 * unsubscribes (and closes the socket when nothing is watched any more).
 */
export class LiveAvailability {
  constructor({
    getUrl,
    WebSocketImpl = globalThis.WebSocket,
    // Wrapped: a browser's setTimeout refuses to run as another object's method ("Illegal invocation").
    setTimer = (run, delay) => setTimeout(run, delay),
    clearTimer = (timer) => clearTimeout(timer),
    random = Math.random,
  } = {}) {
    this.getUrl = getUrl;
    this.WebSocketImpl = WebSocketImpl;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.random = random;
    this.watchers = new Map(); // mentorId -> Set of {onChange, onReconnect, onStatus}
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.connectedOnce = false;
    this.opening = false; // between connect() and the socket's creation (GET /realtime)
    this.generation = 0; // close() makes a connect() still waiting for its URL give up
    this.resync = new Set(); // mentors to read again once subscribed after a reconnect
    this.status = 'idle'; // idle | connecting | live (subscribed) | reconnecting | unavailable
  }

  watch(mentorId, handlers = {}) {
    if (!this.WebSocketImpl) {
      handlers.onStatus?.('unavailable');
      return () => {};
    }
    const fresh = !this.watchers.has(mentorId);
    if (fresh) this.watchers.set(mentorId, new Set());
    this.watchers.get(mentorId).add(handlers);
    handlers.onStatus?.(this.status);
    if (!this.socket && !this.timer && !this.opening) this.connect();
    else if (fresh) this.send({ action: 'subscribe', mentorId });
    return () => this.unwatch(mentorId, handlers);
  }

  unwatch(mentorId, handlers) {
    const set = this.watchers.get(mentorId);
    if (!set) return;
    set.delete(handlers);
    if (set.size) return;
    this.watchers.delete(mentorId);
    this.send({ action: 'unsubscribe', mentorId });
    if (!this.watchers.size) this.close();
  }

  /** Close on purpose: no reconnect. */
  close() {
    if (this.timer) this.clearTimer(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    this.opening = false;
    this.generation += 1;
    this.attempt = 0;
    this.connectedOnce = false;
    this.setStatus('idle');
    if (socket) {
      socket.onclose = null;
      socket.onerror = null;
      socket.onmessage = null;
      if (socket.readyState === 0) socket.onopen = () => socket.close(1000);
      else socket.close(1000);
    }
  }

  send(message) {
    if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify(message));
  }

  setStatus(status) {
    this.status = status;
    for (const set of this.watchers.values()) for (const handlers of set) handlers.onStatus?.(status);
  }

  async connect() {
    this.timer = null;
    this.opening = true;
    const generation = ++this.generation;
    this.setStatus(this.connectedOnce ? 'reconnecting' : 'connecting');
    let url;
    try {
      url = await this.getUrl();
    } catch {
      url = null;
    }
    if (generation !== this.generation) return; // closed (and maybe opened again) meanwhile
    this.opening = false;
    if (!this.watchers.size) return;
    if (!url) {
      this.retry();
      return;
    }
    let socket;
    try {
      socket = new this.WebSocketImpl(url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      // After a reconnect, changes made while the socket was down were not sent to us: once a
      // mentor's subscription is back, its pages read again (receive(), "subscribed").
      this.resync = this.connectedOnce ? new Set(this.watchers.keys()) : new Set();
      this.connectedOnce = true;
      this.attempt = 0;
      for (const mentorId of this.watchers.keys()) this.send({ action: 'subscribe', mentorId });
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.retry();
    };
    socket.onerror = () => {}; // a close follows; that is where we retry
  }

  retry() {
    if (!this.watchers.size) return;
    this.setStatus('reconnecting');
    const delay = reconnectDelay(this.attempt, this.random);
    this.attempt += 1;
    this.timer = this.setTimer(() => this.connect(), delay);
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (message?.type === 'subscribed') {
      this.setStatus('live');
      if (this.resync?.delete(message.mentorId)) {
        for (const handlers of this.watchers.get(message.mentorId) || []) handlers.onReconnect?.();
      }
    } else if (message?.type === 'availability_changed') {
      for (const handlers of this.watchers.get(message.mentorId) || []) handlers.onChange?.(message.slots || []);
    } else if (message?.type === 'error' && message.code === 'bad_request' && this.socket) {
      // The server no longer knows this connection (its record expired): start a new one.
      const socket = this.socket;
      this.socket = null;
      socket.onclose = null;
      socket.close(1000);
      this.retry();
    }
  }
}
