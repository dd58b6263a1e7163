// Tasks: counts by state, filters (state, role, type), newest first, pages by continuation token, refreshed live.
// A refresh re-reads the page on screen and updates its rows in place, so scroll position and filters stay.
import { call, describe } from '../api.js';
import { h, fill, badge, route } from '../dom.js';
import * as fmt from '../format.js';
import { every } from '../live.js';
import { sampleMetrics } from '../metrics.js';

export const STATES = ['accepted', 'awaiting_approval', 'running', 'needs_approval', 'completed', 'failed', 'rejected', 'canceled', 'expired'];
const REFRESH_MS = 2000;

export function mount(container, { query }) {
  const filters = {
    state: query.get('state') ?? '',
    role: query.get('role') ?? '',
    type: query.get('type') ?? '',
    top: query.get('top') ?? '25',
  };
  // Tokens of the pages before the one shown: "Newer" pops, "Older" pushes.
  const tokens = [];
  let token = null;
  let next = null;
  const rows = new Map();

  const counts = h('div', { class: 'counts', attrs: { 'aria-label': 'Tasks by state' } });
  const stateSelect = h('select', { name: 'state', id: 'filter-state' },
    h('option', { value: '', text: 'any state' }),
    STATES.map(state => h('option', { value: state, text: state.replaceAll('_', ' ') })));
  stateSelect.value = filters.state;
  const roleInput = h('input', { name: 'role', id: 'filter-role', value: filters.role, placeholder: 'any role', spellcheck: false, attrs: { list: 'known-roles' } });
  const typeInput = h('input', { name: 'type', id: 'filter-type', value: filters.type, placeholder: 'any type', spellcheck: false });
  const topSelect = h('select', { name: 'top', id: 'filter-top' }, ['10', '25', '50', '100'].map(n => h('option', { value: n, text: n + ' a page' })));
  topSelect.value = filters.top;
  const roleList = h('datalist', { id: 'known-roles' });
  const form = h('form', { class: 'filters', on: { submit: event => { event.preventDefault(); applyFilters(); } } },
    h('label', null, 'State ', stateSelect),
    h('label', null, 'Role ', roleInput),
    h('label', null, 'Type ', typeInput),
    h('label', null, 'Show ', topSelect),
    h('button', { type: 'submit', text: 'Filter' }),
    roleList);
  stateSelect.addEventListener('change', applyFilters);
  topSelect.addEventListener('change', applyFilters);

  const body = h('tbody');
  const table = h('table', { class: 'list tasks' },
    h('thead', null, h('tr', null, ['Task', 'State', 'Type', 'Roles', 'Priority', 'From', 'Created', 'Updated'].map(t => h('th', { scope: 'col', text: t })))),
    body);
  const empty = h('p', { class: 'muted empty', hidden: true, text: 'No task matches.' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const newer = h('button', { type: 'button', text: '← Newer', disabled: true, on: { click: () => { token = tokens.pop() ?? null; refresh.now(); } } });
  const older = h('button', { type: 'button', text: 'Older →', disabled: true, on: { click: () => { tokens.push(token); token = next; refresh.now(); } } });
  const pageInfo = h('span', { class: 'muted' });
  const liveInfo = h('span', { class: 'live muted', role: 'status' });

  container.append(
    h('section', { class: 'panel' },
      h('div', { class: 'heading' }, h('h1', { text: 'Tasks' }), liveInfo),
      counts,
      form,
      error,
      h('div', { class: 'table-wrap' }, table),
      empty,
      h('div', { class: 'pager' }, newer, pageInfo, older)));

  function applyFilters() {
    const params = new URLSearchParams();
    if (stateSelect.value) params.set('state', stateSelect.value);
    if (roleInput.value.trim()) params.set('role', roleInput.value.trim());
    if (typeInput.value.trim()) params.set('type', typeInput.value.trim());
    if (topSelect.value !== '25') params.set('top', topSelect.value);
    const hash = '#/tasks' + (params.size ? '?' + params : '');
    if (location.hash !== hash) location.hash = hash;
    else refresh.now();
  }

  async function load() {
    const [list, metrics] = await Promise.all([
      call('GET', 'tasks', { query: { state: filters.state, role: filters.role, type: filters.type, top: filters.top, continuationToken: token } }),
      sampleMetrics(),
    ]);
    renderCounts(metrics);
    if (!list.ok) {
      error.textContent = describe(list.problem);
      error.hidden = false;
      return;
    }
    error.hidden = true;
    next = list.data.continuationToken ?? null;
    renderRows(list.data.items ?? []);
    newer.disabled = tokens.length === 0 && token === null;
    older.disabled = !next;
    pageInfo.textContent = `page ${tokens.length + (token === null ? 1 : 2)}`;
    liveInfo.textContent = 'live · updated ' + fmt.time(new Date());
  }

  function renderCounts(metrics) {
    if (!metrics.ok) {
      fill(counts, h('span', { class: 'muted', text: 'counts unavailable: ' + describe(metrics.problem) }));
      return;
    }
    const byState = metrics.data.tasks ?? {};
    fill(counts, STATES.map(state => h('a', {
      class: ['count', 'state-' + state, filters.state === state && 'selected'],
      href: route('tasks') + '?state=' + state,
      data: { state },
    }, h('span', { class: 'num', text: fmt.count(byState[state] ?? 0) }), h('span', { text: state.replaceAll('_', ' ') }))));
    fill(roleList, (metrics.data.roles ?? []).map(r => h('option', { value: r.role })));
  }

  function renderRows(items) {
    const seen = new Set();
    const ordered = items.map(view => {
      seen.add(view.id);
      let row = rows.get(view.id);
      if (!row) {
        row = h('tr', { data: { id: view.id } });
        rows.set(view.id, row);
      }
      if (row.dataset.version !== view.updatedAt + view.state) {
        row.dataset.version = view.updatedAt + view.state;
        row.dataset.state = view.state;
        fill(row,
          cell('Task', h('a', { href: route('task', view.id), text: view.id, class: 'id' })),
          cell('State', badge(view.state)),
          cell('Type', view.type),
          cell('Roles', h('span', { class: 'chips' }, (view.roles ?? []).map(r => h('span', { class: ['chip', 'state-' + r.state], title: `${r.role}: ${r.state} (attempt ${r.attempt}/${r.maxAttempts})`, text: r.role })))),
          cell('Priority', view.priority),
          cell('From', view.from ?? ''),
          cell('Created', h('time', { dateTime: view.createdAt, title: fmt.isoTitle(view.createdAt), text: fmt.time(view.createdAt) })),
          cell('Updated', h('time', { dateTime: view.updatedAt, title: fmt.isoTitle(view.updatedAt), text: fmt.time(view.updatedAt) })));
      }
      return row;
    });
    for (const id of [...rows.keys()]) if (!seen.has(id)) rows.delete(id);
    // Moves existing rows instead of rebuilding the table: the page keeps its scroll position and text selection.
    body.replaceChildren(...ordered);
    empty.hidden = items.length > 0;
  }

  const refresh = every(REFRESH_MS, load);
  return () => refresh.stop();
}

function cell(label, content) {
  return h('td', { data: { label } }, h('div', { class: 'cell' }, content));
}
