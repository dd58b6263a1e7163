// One task: its state, trace id, warnings, roles (attempt/max, next attempt, what it needs and why it waits, progress,
// last error, summary, usage), approval, outcome, timeline (GET /tasks/{id}/history, paged), artifacts (size, text
// preview, download), and the approve / reject / cancel actions with the server's answer shown as it came (202, or
// the problem's detail). Refreshed live until the task ends.
import { call, describe, download } from '../api.js';
import { can, denial } from '../access.js';
import { h, fill, badge, link, route, facts } from '../dom.js';
import * as fmt from '../format.js';
import { every } from '../live.js';

const REFRESH_MS = 2000;
const PREVIEW_BYTES = 64 * 1024;
const TERMINAL = ['completed', 'failed', 'rejected', 'canceled', 'expired'];
const HISTORY_PAGE = 50;

export function mount(container, { segments }) {
  const id = segments[0] ?? '';
  const path = 'tasks/' + encodeURIComponent(id);
  let view = null;
  let artifactsVersion = null;
  let historyVersion = null;
  let historyWanted = HISTORY_PAGE; // events to show: one page, plus one more each time the operator asks

  const title = h('h1', null, 'Task ', h('span', { class: 'id', text: id }));
  const stateSlot = h('span');
  const liveInfo = h('span', { class: 'live muted', role: 'status' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const summary = h('div', { class: 'summary' });
  const warnings = h('div', { class: 'warnings' });
  const rolesBody = h('tbody');
  const approval = h('div');
  const outcome = h('div');
  const timeline = h('div');
  const artifacts = h('div');

  const actions = actionPanel(path, () => view, () => refresh.now());

  container.append(
    h('p', { class: 'crumbs' }, h('a', { href: route('tasks'), text: '← Tasks' })),
    h('section', { class: 'panel' }, h('div', { class: 'heading' }, title, stateSlot, liveInfo), error, summary, warnings),
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
    renderWarnings();
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
      ['Trace', view.traceId ? traceId(view.traceId) : null],
      ['Note', view.truncated ? 'the server shortened this view to fit its size limit; texts are in the artifacts' : null],
    ]));
  }

  function renderWarnings() {
    // Secret scan findings and redactions: the server names kind and place, never the secret.
    const list = view.warnings ?? [];
    fill(warnings, list.length
      ? [h('h2', { text: 'Warnings' }), h('ul', { class: 'reasons' }, list.map(w => h('li', { class: 'text', text: w })))]
      : null);
  }

  function renderRoles() {
    fill(rolesBody, (view.roles ?? []).map(role => h('tr', { data: { role: role.role, state: role.state } },
      td('Role', h('strong', { text: role.role }),
        role.requires?.length ? h('span', { class: 'chips requires', title: 'capabilities its attempts need' }, role.requires.map(r => h('span', { class: 'chip', text: 'needs ' + r }))) : null),
      td('Stage', String((role.stage ?? 0) + 1)),
      td('State', badge(role.state), role.deadLetterId ? [' ', link('dead letter', 'deadletters', role.deadLetterId)] : null,
        role.waitReason ? h('span', { class: 'text wait-reason', text: role.waitReason }) : null),
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
    // Pages are read from the start up to what the operator asked to see, so a refresh keeps the same length.
    const events = [];
    let token = null;
    do {
      const answer = await call('GET', path + '/history', { query: { top: HISTORY_PAGE, continuationToken: token } });
      if (!answer.ok) {
        fill(timeline, h('p', { class: 'error', text: 'History unavailable: ' + describe(answer.problem) }));
        return;
      }
      events.push(...(answer.data?.items ?? []));
      token = answer.data?.continuationToken ?? null;
    } while (token && events.length < historyWanted);
    fill(timeline, events.length
      ? h('ol', { class: 'timeline' }, events.map(historyEntry))
      : h('p', { class: 'muted', text: 'No events yet.' }),
      token ? h('button', { type: 'button', class: 'small more', text: `Show ${HISTORY_PAGE} more events`, on: { click: () => { historyWanted = events.length + HISTORY_PAGE; loadTimeline(); } } }) : null);
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

/** A trace id to paste into a tracing backend: shown whole, with a button that copies it. */
function traceId(id) {
  const code = h('code', { class: 'id', id: 'trace-id', text: id });
  const button = h('button', { type: 'button', class: 'small', id: 'copy-trace', text: 'Copy', on: { click: () => copy() } });
  async function copy() {
    try {
      await navigator.clipboard.writeText(id);
      button.textContent = 'Copied';
    } catch {
      // No clipboard access (an insecure origin, or denied): select it, so Ctrl+C copies it.
      getSelection().selectAllChildren(code);
      button.textContent = 'Selected: press Ctrl+C';
    }
  }
  return h('span', { class: 'trace' }, code, ' ', button);
}

/** One event of GET /tasks/{id}/history: when, what, for which role and attempt, how it ended, who, and its detail. */
function historyEntry(event) {
  const type = String(event.type ?? 'event');
  const result = event.kind ?? event.decision ?? event.state ?? null;
  return h('li', { data: { type, seq: event.seq ?? '' } },
    event.at ? h('time', { dateTime: event.at, title: fmt.isoTitle(event.at), text: fmt.time(event.at) }) : null, ' ',
    h('strong', { text: type.replaceAll('_', ' ') }),
    event.role ? ` · ${event.role}` : null,
    event.attempt ? ` · attempt ${event.attempt}` : null,
    result ? [' ', h('span', { class: 'chip', text: String(result).replaceAll('_', ' ') })] : null,
    event.until ? ` until ${fmt.time(event.until)}` : null,
    event.actor ? h('span', { class: 'muted', text: ' by ' + event.actor }) : null,
    event.detail ? h('span', { class: 'text detail', text: ' ' + event.detail }) : null);
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
