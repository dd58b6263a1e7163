// Dead letters: each record with its failures (attempt, time, kind, message); replay (linking to the new task) and
// delete, each after an explicit confirmation in the page. #/deadletters/<id> shows one record.
import { call, describe } from '../api.js';
import { denial } from '../access.js';
import { h, fill, link, route, facts } from '../dom.js';
import * as fmt from '../format.js';
import { every } from '../live.js';

const REFRESH_MS = 5000;

export function mount(container, { segments, query }) {
  const single = segments[0] ?? null;
  const filters = { taskId: query.get('taskId') ?? '', role: query.get('role') ?? '' };
  const cards = new Map();
  let next = null;
  let extraPages = false;

  const list = h('div', { class: 'cards' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const empty = h('p', { class: 'muted empty', hidden: true, text: 'No dead letters.' });
  const more = h('button', { type: 'button', text: 'More', hidden: true, on: { click: () => loadMore() } });
  const liveInfo = h('span', { class: 'live muted', role: 'status' });
  const taskInput = h('input', { name: 'taskId', id: 'dl-task', value: filters.taskId, placeholder: 'any task', spellcheck: false });
  const roleInput = h('input', { name: 'role', id: 'dl-role', value: filters.role, placeholder: 'any role', spellcheck: false });
  const form = h('form', { class: 'filters', on: { submit: event => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (taskInput.value.trim()) params.set('taskId', taskInput.value.trim());
    if (roleInput.value.trim()) params.set('role', roleInput.value.trim());
    location.hash = '#/deadletters' + (params.size ? '?' + params : '');
  } } }, h('label', null, 'Task ', taskInput), h('label', null, 'Role ', roleInput), h('button', { type: 'submit', text: 'Filter' }));

  container.append(h('section', { class: 'panel' },
    single ? h('p', { class: 'crumbs' }, h('a', { href: route('deadletters'), text: '← All dead letters' })) : null,
    h('div', { class: 'heading' }, h('h1', { text: single ? 'Dead letter' : 'Dead letters' }), liveInfo),
    single ? null : form,
    error, list, empty, h('div', { class: 'pager' }, more)));

  async function load() {
    if (single) {
      const answer = await call('GET', 'deadletters/' + encodeURIComponent(single));
      if (!answer.ok) return showError(answer);
      error.hidden = true;
      render([answer.data], true);
    } else {
      if (extraPages) return; // The operator paged on: leave what is on screen as it is.
      const answer = await call('GET', 'deadletters', { query: { taskId: filters.taskId, role: filters.role, top: 20 } });
      if (!answer.ok) return showError(answer);
      error.hidden = true;
      next = answer.data.continuationToken ?? null;
      more.hidden = !next;
      render(answer.data.items ?? [], true);
    }
    liveInfo.textContent = 'live · updated ' + fmt.time(new Date());
  }

  async function loadMore() {
    const answer = await call('GET', 'deadletters', { query: { taskId: filters.taskId, role: filters.role, top: 20, continuationToken: next } });
    if (!answer.ok) return showError(answer);
    extraPages = true;
    next = answer.data.continuationToken ?? null;
    more.hidden = !next;
    render(answer.data.items ?? [], false);
  }

  function showError(answer) {
    error.textContent = describe(answer.problem);
    error.hidden = false;
  }

  function render(records, replace) {
    const ordered = records.map(record => {
      let card = cards.get(record.id);
      if (!card) {
        card = deadLetterCard(record, () => { cards.delete(record.id); });
        cards.set(record.id, card);
      } else {
        card.update(record);
      }
      return card.element;
    });
    if (replace) {
      const keep = new Set(records.map(r => r.id));
      for (const [id, card] of cards) if (!keep.has(id) && !card.busy()) cards.delete(id);
      list.replaceChildren(...ordered);
    } else {
      list.append(...ordered);
    }
    empty.hidden = list.childElementCount > 0;
  }

  const refresh = every(REFRESH_MS, load);
  return () => refresh.stop();
}

function deadLetterCard(initial, removed) {
  let record = initial;
  let confirming = null;
  const links = h('div', { class: 'links' });
  const result = h('output', { class: 'result', attrs: { 'aria-live': 'polite' } });
  const confirmBox = h('div', { class: 'confirm', hidden: true });
  const replay = h('button', { type: 'button', class: 'primary replay', text: 'Replay…', on: { click: () => ask('replay') } });
  const remove = h('button', { type: 'button', class: 'danger delete', text: 'Delete…', on: { click: () => ask('delete') } });
  const replayWhy = denial('submit');
  const deleteWhy = denial('admin');
  replay.disabled = Boolean(replayWhy);
  replay.title = replayWhy;
  remove.disabled = Boolean(deleteWhy);
  remove.title = deleteWhy;

  const element = h('article', { class: 'card deadletter', data: { id: initial.id } },
    h('div', { class: 'heading' }, h('h2', { class: 'id', text: initial.id }), h('span', { class: 'muted', text: fmt.time(initial.deadLetteredAt) })),
    facts([
      ['Task', link(initial.taskId, 'task', initial.taskId)],
      ['Role', initial.role],
      ['Attempts', String(initial.attempts)],
      ['Reason', h('span', { class: 'text', text: initial.reason })],
    ]),
    links,
    h('div', { class: 'table-wrap' }, h('table', { class: 'list failures' },
      h('thead', null, h('tr', null, ['Attempt', 'Time', 'Kind', 'Message'].map(t => h('th', { scope: 'col', text: t })))),
      h('tbody', null, (initial.failures ?? []).map(f => h('tr', null,
        h('td', { data: { label: 'Attempt' }, text: String(f.attempt) }),
        h('td', { data: { label: 'Time' } }, h('time', { dateTime: f.at, title: fmt.isoTitle(f.at), text: fmt.time(f.at) })),
        h('td', { data: { label: 'Kind' }, text: f.kind }),
        h('td', { data: { label: 'Message' } }, h('span', { class: 'text', text: f.message }))))))),
    h('div', { class: 'buttons' }, replay, remove),
    (replayWhy || deleteWhy) ? h('p', { class: 'why muted', text: [replayWhy && `Replay: ${replayWhy}.`, deleteWhy && `Delete: ${deleteWhy}.`].filter(Boolean).join(' ') }) : null,
    confirmBox,
    result);

  function renderLinks() {
    fill(links,
      record.replayOf ? h('p', null, 'Replay of ', link(record.replayOf, 'deadletters', record.replayOf)) : null,
      record.replayedAs ? h('p', { class: 'replayed' }, 'Replayed as ', link(record.replayedAs, 'task', record.replayedAs), record.replayedAt ? ` at ${fmt.time(record.replayedAt)}` : '') : null);
  }

  function ask(action) {
    confirming = action;
    confirmBox.hidden = false;
    const text = action === 'replay'
      ? `Replay role ${record.role} of task ${record.taskId} as a new task?`
      : `Delete dead letter ${record.id}? This cannot be undone.`;
    fill(confirmBox,
      h('p', { text }),
      h('button', { type: 'button', class: action === 'replay' ? 'primary confirm-yes' : 'danger confirm-yes', text: action === 'replay' ? 'Confirm replay' : 'Confirm delete', on: { click: () => run(action) } }),
      h('button', { type: 'button', class: 'confirm-no', text: 'Keep it', on: { click: close } }));
  }

  function close() {
    confirming = null;
    confirmBox.hidden = true;
    confirmBox.replaceChildren();
  }

  async function run(action) {
    close();
    result.className = 'result';
    result.textContent = `${action}…`;
    const id = encodeURIComponent(record.id);
    const answer = action === 'replay'
      ? await call('POST', `deadletters/${id}/replay`)
      : await call('DELETE', `deadletters/${id}`);
    if (!answer.ok) {
      result.classList.add('bad');
      result.textContent = describe(answer.problem);
      return;
    }
    result.classList.add('ok');
    if (action === 'replay') {
      const taskId = answer.data?.taskId;
      fill(result, `${answer.status} Accepted: replayed as `, taskId ? link(taskId, 'task', taskId) : 'a new task', '.');
      record = { ...record, replayedAs: taskId ?? record.replayedAs };
      renderLinks();
    } else {
      result.textContent = `${answer.status}: deleted.`;
      replay.disabled = true;
      remove.disabled = true;
      element.classList.add('deleted');
      removed();
    }
  }

  renderLinks();
  return {
    element,
    busy: () => confirming !== null,
    update(next) {
      if (next.replayedAs !== record.replayedAs || next.replayOf !== record.replayOf) {
        record = next;
        renderLinks();
      }
    },
  };
}
