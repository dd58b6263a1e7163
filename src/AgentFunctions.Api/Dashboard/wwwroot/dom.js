// Building the page without ever parsing a string as HTML: every text from the server (task ids, summaries,
// errors, artifacts: agents write them, so they are untrusted) becomes a text node or a textContent.

/**
 * h('tr', { class: 'x', data: { id }, attrs: { title }, on: { click } }, child, ...)
 * Children: nodes, strings and numbers (as text), arrays, and null/undefined/false (skipped).
 */
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

const SVG = 'http://www.w3.org/2000/svg';

export function s(tag, props, ...children) {
  return build(document.createElementNS(SVG, tag), props, children);
}

function build(el, props, children) {
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
      else if (name === 'text') el.textContent = String(value);
      else if (name === 'on') for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
      else if (name === 'data') for (const [key, v] of Object.entries(value)) el.dataset[key] = String(v);
      else if (name === 'attrs') for (const [key, v] of Object.entries(value)) { if (v !== undefined && v !== null && v !== false) el.setAttribute(key, v === true ? '' : String(v)); }
      else if (name.startsWith('on')) throw new Error('event handlers go in props.on, never as attributes');
      else if (name in el && !(el instanceof SVGElement)) el[name] = value;
      else el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children in one step (the page keeps its scroll position). */
export function fill(el, ...children) {
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  el.replaceChildren(fragment);
  return el;
}

/** A hash link inside the dashboard: the untrusted part is encoded, so it can never become another scheme. */
export function link(text, ...segments) {
  return h('a', { href: route(...segments), text });
}

export function route(...segments) {
  const [first, ...rest] = segments;
  return '#/' + [first, ...rest.map(part => encodeURIComponent(String(part)))].join('/');
}

/** A status badge; the state name picks one of the classes in dashboard.css. */
export function badge(state) {
  const name = String(state ?? 'unknown');
  return h('span', { class: ['badge', 'state-' + name.replace(/[^a-z_]/g, '')], text: name.replaceAll('_', ' ') });
}

/** A definition list from [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([label, value]) => [h('dt', { text: label }), h('dd', null, value)]));
}
