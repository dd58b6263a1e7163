// One task: its state, roles (attempt/max, next attempt, progress, last error, summary, usage), approval, outcome,
// timeline, artifacts (size, text preview, download), and the approve / reject / cancel actions with the server's
// answer shown as it came (202, or the problem's detail). Refreshed live until the task ends.
import { call, describe, download } from '../api.js';
import { can, denial } from '../access.js';
import { h, fill, badge, link, route, facts } from '../dom.js';
import * as fmt from '../format.js';
import { every } from '../live.js';

const REFRESH_MS = 2000;
const PREVIEW_BYTES = 64 * 1024;
const TERMINAL = ['completed', 'failed', 'rejected', 'canceled', 'expired'];

export function mount(container, { segments }) {
  const id = segments[0] ?? '';
  const path = 'tasks/' + encodeURIComponent(id);
  let view = null;
  let artifactsVersion = null;
  let historyVersion = null;

  const title = h('h1', null, 'Task ', h('span', { class: 'id', text: id }));
  const stateSlot = h('span');
  const liveInfo = h('span', { class: 'live muted', role: 'status' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const summary = h('div', { class: 'summary' });
  const rolesBody = h('tbody');
  const approval = h('div');
  const outcome = h('div');
  const timeline = h('div');
  const artifacts = h('div');

  const actions = actionPanel(path, () => view, () => refresh.now());

  container.append(
    h('p', { class: 'crumbs' }, h('a', { href: route('tasks'), text: '← Tasks' })),
    h('section', { class: 'panel' }, h('div', { class: 'heading' }, title, stateSlot, liveInfo), error, summary),
    actions.element,
    h('section', { class: 'panel' }, h('h2', { text: 'Roles' }),
      h('div', { class: 'table-wrap' }, h('table', { class: 'list roles' },
        h('thead', null, h('tr', null, ['Role', 'Stage', 'State', 'Attempt', 'Next attempt', 'Progress', 'Last error', 'Summary', 'Usage'].map(t => h('th', { scope: 'col', text: t })))),
        rolesBody))),
    h('div', { class: 'columns' },
      h('section', { class: 'panel' }, h('h2', { text: 'Approval' }), approval),
      h('section', { class: 'panel' }, h('h2', { text: 'Outcome' }), outcome)),
    h('section', { class: 'panel' }, h('h2', { text: 'Timeline' }), timeline),
    h('section', { class: 'panel' }, h('h2', { text: 'Artifacts' }), artifacts));

  async function load() {
    const answer = await call('GET', path);
    if (!answer.ok) {
      error.textContent = describe(answer.problem);
      error.hidden = false;
      return;
    }
    error.hidden = true;
    // Progress reports may leave updatedAt as it was: compare the whole view.
    const changed = JSON.stringify(view) !== JSON.stringify(answer.data);
    view = answer.data;
    liveInfo.textContent = (TERMINAL.includes(view.state) ? 'ended · checked ' : 'live · updated ') + fmt.time(new Date());
    if (!changed) return;
    fill(stateSlot, badge(view.state));
    container.dataset.state = view.state;
    renderSummary();
    renderRoles();
    renderApproval();
    renderOutcome();
    actions.update(view);
    const version = view.updatedAt + view.state;
    await Promise.all([
      historyVersion === version ? null : loadTimeline().then(() => { historyVersion = version; }),
      artifactsVersion === version ? null : loadArtifacts().then(() => { artifactsVersion = version; }),
    ]);
  }

  function renderSummary() {
    fill(summary, facts([
      ['Type', view.type],
      ['Priority', view.priority],
      ['From', view.from],
      ['Stage', view.stageCount ? `${view.stage + 1} of ${view.stageCount}` : null],
      ['Created', fmt.time(view.createdAt)],
      ['Updated', fmt.time(view.updatedAt)],
      ['Deadline', view.deadlineAt ? `${fmt.time(view.deadlineAt)} (${fmt.until(view.deadlineAt)})` : null],
      ['Usage', fmt.usage(view.usage) || null],
      ['Reply to', view.replyTo],
      ['Replay of', view.replayOf ? link(view.replayOf, 'deadletters', view.replayOf) : null],
      ['Trace', view.traceId ?? view.traceparent ?? null],
      ['Warnings', Array.isArray(view.warnings) && view.warnings.length ? view.warnings.map(w => typeof w === 'string' ? w : JSON.stringify(w)).join('; ') : null],
      ['Note', view.truncated ? 'the server shortened this view to fit its size limit; texts are in the artifacts' : null],
    ]));
  }

  function renderRoles() {
    fill(rolesBody, (view.roles ?? []).map(role => h('tr', { data: { role: role.role, state: role.state } },
      td('Role', h('strong', { text: role.role })),
      td('Stage', String((role.stage ?? 0) + 1)),
      td('State', badge(role.state), role.deadLetterId ? [' ', link('dead letter', 'deadletters', role.deadLetterId)] : null),
      td('Attempt', `${role.attempt ?? 0}/${role.maxAttempts ?? '?'}`),
      td('Next attempt', role.nextAttemptAt ? h('time', { dateTime: role.nextAttemptAt, title: fmt.isoTitle(role.nextAttemptAt), text: `${fmt.time(role.nextAttemptAt)} (${fmt.until(role.nextAttemptAt)})` }) : ''),
      td('Progress', progress(role)),
      td('Last error', role.lastError ? h('span', { class: 'text error-text', text: role.lastError }) : ''),
      td('Summary', role.summary ? h('span', { class: 'text', text: role.summary }) : ''),
      td('Usage', fmt.usage(role.usage)))));
  }

  function renderApproval() {
    const a = view.approval;
    if (!a || (!a.waiting?.length && !a.decisions?.length)) {
      fill(approval, h('p', { class: 'muted', text: 'No approval gate.' }));
      return;
    }
    fill(approval,
      a.waiting?.length ? h('ul', { class: 'plain' }, a.waiting.map(w => h('li', { class: 'waiting' },
        badge('awaiting_approval'), ` ${w.role ? 'role ' + w.role : 'the task'} (${w.kind?.replaceAll('_', ' ') ?? 'gate'}), asked ${fmt.time(w.requestedAt)}, expires ${fmt.until(w.deadlineAt)}`))) : null,
      a.decisions?.length ? h('ul', { class: 'plain' }, a.decisions.map(d => h('li', null,
        h('strong', { text: d.decision }), ` ${d.role ? 'role ' + d.role : 'the task'} by ${d.by ?? 'unknown'}${d.at ? ' at ' + fmt.time(d.at) : ''}`,
        d.note ? h('q', { class: 'text', text: d.note }) : null))) : null);
  }

  function renderOutcome() {
    const o = view.outcome;
    fill(outcome, o
      ? facts([['State', badge(o.state)], ['Reason', h('span', { class: 'text', text: o.reason })], ['By', o.by], ['At', fmt.time(o.at)], ['Result', o.resultRef]])
      : h('p', { class: 'muted', text: 'Not finished yet.' }));
  }

  async function loadTimeline() {
    const answer = await call('GET', path + '/history', { query: { top: 200 } });
    if (answer.ok) {
      const events = answer.data?.items ?? answer.data?.events ?? (Array.isArray(answer.data) ? answer.data : []);
      fill(timeline, events.length
        ? h('ol', { class: 'timeline' }, events.map(historyEntry))
        : h('p', { class: 'muted', text: 'No events yet.' }),
        answer.data?.continuationToken ? h('p', { class: 'muted', text: 'Showing the first 200 events.' }) : null);
      return;
    }
    if (answer.status === 404 && view) {
      // The task exists, so the 404 is the route's: this server has no history to offer. Show what the view tells.
      fill(timeline,
        h('p', { class: 'notice', text: 'This server offers no task history (GET /api/tasks/{id}/history answered 404). The times below come from the task view.' }),
        h('ol', { class: 'timeline' }, derivedTimeline(view).map(([at, text]) => h('li', null, h('time', { dateTime: at, text: fmt.time(at) }), ' ', h('span', { class: 'text', text })))));
      return;
    }
    fill(timeline, h('p', { class: 'error', text: 'History unavailable: ' + describe(answer.problem) }));
  }

  async function loadArtifacts() {
    const answer = await call('GET', path + '/artifacts');
    if (!answer.ok) {
      fill(artifacts, h('p', { class: 'error', text: 'Artifacts unavailable: ' + describe(answer.problem) }));
      return;
    }
    const items = answer.data.items ?? [];
    const preview = h('div', { class: 'preview', hidden: true });
    fill(artifacts, items.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'list artifacts' },
        h('thead', null, h('tr', null, ['Path', 'Size', 'Type', 'Modified', ''].map(t => h('th', { scope: 'col', text: t })))),
        h('tbody', null, items.map(item => h('tr', { data: { path: item.path } },
          td('Path', h('span', { class: 'id', text: item.path })),
          td('Size', fmt.bytes(item.length)),
          td('Type', item.contentType ?? ''),
          td('Modified', fmt.time(item.lastModified)),
          td('', h('span', { class: 'buttons' },
            h('button', { type: 'button', class: 'small', text: 'Preview', on: { click: () => showPreview(preview, item) } }),
            h('button', { type: 'button', class: 'small', text: 'Download', on: { click: event => saveArtifact(event.currentTarget, item) } }))))))))
      : h('p', { class: 'muted', text: 'No artifacts yet.' }),
      preview);
  }

  async function showPreview(preview, item) {
    preview.hidden = false;
    fill(preview, h('p', { class: 'muted', text: `Loading ${item.path}…` }));
    const answer = await call('GET', `${path}/artifacts/${item.path.split('/').map(encodeURIComponent).join('/')}`, { raw: true });
    if (!answer.ok) {
      fill(preview, h('p', { class: 'error', text: describe(answer.problem) }));
      return;
    }
    const blob = await answer.response.blob();
    const head = new Uint8Array(await blob.slice(0, PREVIEW_BYTES).arrayBuffer());
    const binary = head.includes(0);
    // Artifacts are written by agents: shown as text (textContent of a <pre>), never parsed as HTML.
    const text = binary ? '' : new TextDecoder('utf-8', { fatal: false }).decode(head);
    fill(preview,
      h('div', { class: 'heading' }, h('h3', { class: 'id', text: item.path }),
        h('span', { class: 'muted', text: `${fmt.bytes(blob.size)}${blob.size > PREVIEW_BYTES ? `, first ${fmt.bytes(PREVIEW_BYTES)} shown` : ''}` }),
        h('button', { type: 'button', class: 'small', text: 'Close', on: { click: () => { preview.hidden = true; preview.replaceChildren(); } } })),
      binary
        ? h('p', { class: 'muted', text: 'Binary content: download it to open it.' })
        : h('pre', { class: 'artifact-text', text }));
  }

  async function saveArtifact(button, item) {
    button.disabled = true;
    const answer = await download(`${path}/artifacts/${item.path.split('/').map(encodeURIComponent).join('/')}`, item.path.split('/').pop());
    button.disabled = false;
    if (!answer.ok) button.after(h('span', { class: 'error', text: ' ' + describe(answer.problem) }));
  }

  let lastEndedCheck = 0;
  const refresh = every(REFRESH_MS, async () => {
    if (view && TERMINAL.includes(view.state)) {
      // An ended task changes no more: check rarely (a purge would show as 404).
      if (Date.now() - lastEndedCheck < 15000) return;
      lastEndedCheck = Date.now();
    }
    await load();
  });
  return () => refresh.stop();
}

function td(label, ...content) {
  // One wrapper, so the narrow layout's label and the content are the only two grid items.
  return h('td', { data: { label } }, h('div', { class: 'cell' }, content));
}

function progress(role) {
  if (role.progress === null || role.progress === undefined) return role.progressMessage ? h('span', { class: 'text', text: role.progressMessage }) : '';
  const value = Math.min(1, Math.max(0, Number(role.progress)));
  return h('span', { class: 'progress' },
    h('progress', { max: 1, value, title: fmt.percent(value) }),
    ` ${fmt.percent(value)}`,
    role.progressMessage ? h('span', { class: 'text', text: ' ' + role.progressMessage }) : null);
}

/** An event of GET /tasks/{id}/history, whatever fields the server gives: time, kind, actor, then the rest as text. */
function historyEntry(event) {
  const at = event.at ?? event.time ?? event.timestamp ?? null;
  const kind = event.kind ?? event.type ?? event.event ?? event.name ?? 'event';
  const actor = event.actor ?? event.by ?? null;
  const known = new Set(['at', 'time', 'timestamp', 'kind', 'type', 'event', 'name', 'actor', 'by', 'seq', 'sequence']);
  const rest = Object.entries(event).filter(([key, value]) => !known.has(key) && value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`).join(', ');
  return h('li', { data: { kind: String(kind) } },
    at ? h('time', { dateTime: at, title: fmt.isoTitle(at), text: fmt.time(at) }) : null, ' ',
    h('strong', { text: String(kind).replaceAll('_', ' ') }),
    actor ? ` by ${actor}` : null,
    rest ? h('span', { class: 'text muted', text: ' ' + rest }) : null);
}

/** What the task view alone tells about when things happened. */
function derivedTimeline(view) {
  const entries = [[view.createdAt, 'submitted' + (view.from ? ' by ' + view.from : '')]];
  for (const w of view.approval?.waiting ?? []) entries.push([w.requestedAt, `approval asked for ${w.role ? 'role ' + w.role : 'the task'}`]);
  for (const d of view.approval?.decisions ?? []) if (d.at) entries.push([d.at, `${d.decision} ${d.role ? 'role ' + d.role : 'the task'} by ${d.by ?? 'unknown'}`]);
  for (const r of view.roles ?? []) {
    if (r.startedAt) entries.push([r.startedAt, `${r.role} started`]);
    if (r.finishedAt) entries.push([r.finishedAt, `${r.role} ${r.state.replaceAll('_', ' ')} after ${r.attempt} attempt(s)`]);
  }
  if (view.outcome) entries.push([view.outcome.at, `${view.outcome.state}: ${view.outcome.reason}`]);
  return entries.filter(([at]) => at).sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
}

/** Approve / reject (by, note, role) and cancel (by, reason), disabled with the reason when the key may not. */
function actionPanel(path, getView, changed) {
  const result = h('output', { class: 'result', attrs: { 'aria-live': 'polite' } });
  const by = h('input', { name: 'by', id: 'action-by', placeholder: 'your name', value: sessionLastBy(), spellcheck: false });
  const note = h('input', { name: 'note', id: 'action-note', placeholder: 'note or reason' });
  const role = h('select', { name: 'role', id: 'action-role' }, h('option', { value: '', text: 'the waiting gate' }));
  const approve = h('button', { type: 'button', id: 'approve', class: 'primary', text: 'Approve', on: { click: () => decide('approve') } });
  const reject = h('button', { type: 'button', id: 'reject', text: 'Reject', on: { click: () => decide('reject') } });
  const cancelReason = h('input', { name: 'reason', id: 'cancel-reason', placeholder: 'reason' });
  const cancel = h('button', { type: 'button', id: 'cancel', class: 'danger', text: 'Cancel task', on: { click: () => cancelTask() } });
  const decisionWhy = h('p', { class: 'why muted', id: 'approve-why' });
  const cancelWhy = h('p', { class: 'why muted', id: 'cancel-why' });

  const element = h('section', { class: 'panel actions' },
    h('h2', { text: 'Actions' }),
    h('div', { class: 'action-row' },
      h('label', null, 'By ', by),
      h('label', null, 'Role ', role),
      h('label', { class: 'grow' }, 'Note ', note),
      h('span', { class: 'buttons' }, approve, reject)),
    decisionWhy,
    h('div', { class: 'action-row' },
      h('label', { class: 'grow' }, 'Reason ', cancelReason),
      h('span', { class: 'buttons' }, cancel)),
    cancelWhy,
    result);

  function update(view) {
    const ended = TERMINAL.includes(view.state);
    const waitingRoles = (view.approval?.waiting ?? []).map(w => w.role).filter(Boolean);
    const selected = role.value;
    fill(role, h('option', { value: '', text: 'the waiting gate' }), waitingRoles.map(r => h('option', { value: r, text: 'role ' + r })));
    if (waitingRoles.includes(selected)) role.value = selected;
    const decisionDenied = ended ? `the task has ended (${view.state})` : denial('approve');
    const cancelDenied = ended ? `the task has ended (${view.state})` : denial('cancel');
    for (const button of [approve, reject]) {
      button.disabled = Boolean(decisionDenied);
      button.title = decisionDenied;
    }
    cancel.disabled = Boolean(cancelDenied);
    cancel.title = cancelDenied;
    decisionWhy.textContent = decisionDenied ? `Approve and reject: ${decisionDenied}.` : (view.approval?.pending ? 'The task waits for a decision.' : 'Nothing waits for a decision now; the server will say so.');
    cancelWhy.textContent = cancelDenied ? `Cancel: ${cancelDenied}.` : '';
  }

  async function decide(action) {
    rememberBy(by.value);
    const body = { by: by.value.trim() || undefined, role: role.value || undefined };
    body[action === 'approve' ? 'note' : 'reason'] = note.value.trim() || undefined;
    await send(action, body);
  }

  async function cancelTask() {
    rememberBy(by.value);
    await send('cancel', { by: by.value.trim() || undefined, reason: cancelReason.value.trim() || undefined });
  }

  async function send(action, body) {
    result.className = 'result';
    result.textContent = `${action}…`;
    const answer = await call('POST', `${path}/${action}`, { body });
    if (answer.ok) {
      result.classList.add('ok');
      result.textContent = `${answer.status} Accepted: ${action} ${answer.data?.accepted === false ? 'not taken' : 'taken'} for task ${answer.data?.id ?? getView()?.id ?? ''}.`;
      changed();
    } else {
      result.classList.add('bad');
      result.textContent = describe(answer.problem);
    }
  }

  return { element, update };
}

function sessionLastBy() {
  try {
    return sessionStorage.getItem('agentfunctions.by') ?? '';
  } catch {
    return '';
  }
}

function rememberBy(value) {
  try {
    sessionStorage.setItem('agentfunctions.by', value.trim());
  } catch {
    // Storage disabled: nothing to remember.
  }
}
