// The inbox: GET /me/notifications, newest first, paged. A notification's `url` names an API
// resource (/bookings/{id}); it opens the matching page of this client.

import { errorBox, h, replace } from '../dom.js';
import { formatDateTime } from '../format.js';

function clientLink(url) {
  const booking = /^\/bookings\/([^/?#]+)/.exec(url || '');
  return booking ? `#/bookings/${booking[1]}` : null;
}

export async function renderInbox(view) {
  const { app } = view;
  if (app.needsSignIn(view, 'see your notifications')) return;
  view.heading('Inbox');
  const list = h('ul', { class: 'cards single inbox', 'aria-label': 'Notifications' });
  const status = h('p', { class: 'result-count', role: 'status' });
  const more = h('button', { type: 'button', class: 'button secondary', hidden: true }, 'Load more');
  const container = h('div', {}, status, list, more);
  view.mount(container);
  let cursor = null;

  async function load() {
    more.disabled = true;
    let page;
    try {
      page = await app.api.get('/me/notifications', { query: { limit: 20, cursor } });
    } catch (error) {
      if (view.alive()) replace(container, errorBox(error, { title: 'Could not load notifications: ' }));
      return;
    }
    if (!view.alive()) return;
    cursor = page.nextCursor;
    list.append(
      ...page.items.map((item) => {
        const link = clientLink(item.url);
        return h(
          'li',
          { class: `card notification type-${item.type}` },
          h('h2', { class: 'h3' }, link ? h('a', { href: link }, item.title) : item.title),
          h('p', {}, item.body),
          h('p', { class: 'muted' }, h('time', { datetime: item.createdAt }, formatDateTime(item.createdAt, app.tz))),
        );
      }),
    );
    const total = list.children.length;
    status.textContent = total ? `${total} notification${total === 1 ? '' : 's'}${cursor ? ' so far' : ''}.` : 'Nothing here yet.';
    more.hidden = !cursor;
    more.disabled = false;
  }
  more.addEventListener('click', load);
  await load();
}
