// A tiny element builder: text always goes in as text (never as HTML), so API data cannot inject markup.

/**
 * h('button', {type: 'button', onclick: fn, class: 'x', dataset: {start: '...'}}, 'Label', child...)
 * Attributes set to null/undefined/false are left out; `true` sets an empty attribute.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'value' && 'value' in element) {
      element.value = value;
    } else if (name === 'checked' || name === 'selected' || name === 'disabled') {
      element[name] = Boolean(value);
      if (value) element.setAttribute(name, '');
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let counter = 0;
/** A unique id for label/aria wiring. */
export function uid(prefix = 'id') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled form control: returns {wrapper, input} (input is the control made by `make`). */
export function field(label, control, { hint, id = uid('field') } = {}) {
  control.id = id;
  const hintNode = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintNode) {
    const described = [control.getAttribute('aria-describedby'), hintNode.id].filter(Boolean).join(' ');
    control.setAttribute('aria-describedby', described);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintNode);
}

/** The contract's error (ApiError) or any Error, as an alert the user reads. */
export function errorBox(error, { title } = {}) {
  const details = Array.isArray(error?.details) ? error.details : [];
  return h(
    'div',
    { class: 'notice error', role: 'alert' },
    h('p', {}, h('strong', {}, title || 'Something went wrong: '), error?.message || String(error)),
    error?.code ? h('p', { class: 'error-code' }, 'Error code: ', h('code', {}, error.code)) : null,
    details.length
      ? h(
          'ul',
          { class: 'error-details' },
          details.map((detail) =>
            h('li', {}, detail.field ? h('code', {}, detail.field) : null, detail.field ? ': ' : '', detail.issue ?? JSON.stringify(detail)),
          ),
        )
      : null,
  );
}

export function notice(text, kind = 'info', role = 'status') {
  return h('div', { class: `notice ${kind}`, role }, text);
}

export function spinner(label = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, label);
}

/** Show `node` in the slot element (a live region or a placeholder), replacing what was there. */
export function show(slot, node) {
  replace(slot, node);
  return node;
}
