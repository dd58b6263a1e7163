// Roles: health (healthy | degraded | unhealthy) with its reasons and alerts, then per role the runner kind and
// capabilities (GET /api/roles), depth, in flight, retrying, oldest wait, failure rate, attempt latency p50/p95/p99,
// circuit breaker, desiredWorkers for remote roles, workers and when each was last seen, and small charts of depth
// and throughput drawn from /api/metrics samples taken by this page.
import { call, describe } from '../api.js';
import { h, fill, badge, facts } from '../dom.js';
import * as fmt from '../format.js';
import { every } from '../live.js';
import { sampleMetrics, roleSeries } from '../metrics.js';
import { sparkline } from '../chart.js';

const REFRESH_MS = 5000;

export function mount(container) {
  const health = h('div');
  const roles = h('div', { class: 'cards roles' });
  const notes = h('div');
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const liveInfo = h('span', { class: 'live muted', role: 'status' });
  let catalog = null; // GET /api/roles by name, read once; null until it answers.
  let catalogNote = '';

  container.append(
    h('section', { class: 'panel' }, h('div', { class: 'heading' }, h('h1', { text: 'Health' }), liveInfo), health),
    h('section', { class: 'panel' }, h('h1', { text: 'Roles' }), error, notes, roles));

  async function load() {
    const [healthAnswer, metrics] = await Promise.all([call('GET', 'health'), sampleMetrics(), catalog ? null : loadCatalog()]);
    renderHealth(healthAnswer);
    if (!metrics.ok) {
      error.textContent = describe(metrics.problem);
      error.hidden = false;
      return;
    }
    error.hidden = true;
    renderRoles(metrics.data);
    liveInfo.textContent = 'live · updated ' + fmt.time(new Date());
  }

  async function loadCatalog() {
    const answer = await call('GET', 'roles');
    if (answer.ok) {
      catalog = new Map((answer.data?.items ?? []).map(r => [r.name, r]));
      catalogNote = '';
    } else {
      // Read again on the next refresh.
      catalogNote = 'Role catalog unavailable (runner kinds and capabilities not shown): ' + describe(answer.problem);
    }
  }

  function renderHealth(answer) {
    // unhealthy is a 503 that still carries the report.
    const report = answer.body;
    if (!report || !report.status) {
      fill(health, h('p', { class: 'error', text: 'Health unavailable: ' + describe(answer.problem) }));
      return;
    }
    const reasons = report.reasons ?? [];
    const alerts = report.alerts ?? [];
    health.dataset.status = report.status;
    fill(health,
      facts([
        ['Status', badge(report.status)],
        ['Engine', report.engine],
        ['Version', report.version],
        ['Checked', fmt.time(report.checkedAt)],
      ]),
      reasons.length
        ? h('ul', { class: 'reasons' }, reasons.map(reason => h('li', { class: 'text', text: typeof reason === 'string' ? reason : JSON.stringify(reason) })))
        : h('p', { class: 'muted', text: report.status === 'healthy' ? 'No alert is firing.' : 'The server gave no reasons.' }),
      alerts.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'list alerts' },
          h('thead', null, h('tr', null, ['Role', 'Alert', 'Value', 'Threshold'].map(t => h('th', { scope: 'col', text: t })))),
          h('tbody', null, alerts.map(a => h('tr', { data: { role: a.role, kind: a.kind } },
            cell('Role', a.role), cell('Alert', String(a.kind).replaceAll('_', ' ')), cell('Value', round(a.value)), cell('Threshold', round(a.threshold)))))))
        : null,
      report.checks && Object.keys(report.checks).length
        ? h('dl', { class: 'facts checks' }, Object.entries(report.checks).map(([name, value]) => [h('dt', { text: name }), h('dd', { class: 'text', text: String(value) })]))
        : null);
  }

  function renderRoles(snapshot) {
    fill(notes, catalogNote ? h('p', { class: 'notice', text: catalogNote }) : null);
    const workers = snapshot.workers ?? [];
    const now = Date.now();
    fill(roles, (snapshot.roles ?? []).map(role => {
      const finished = (role.succeeded ?? 0) + (role.failedAttempts ?? 0);
      const failureRate = finished ? (role.failedAttempts ?? 0) / finished : null;
      const latency = role.attemptLatencyMs ?? {};
      const info = catalog ? catalog.get(role.role) : null;
      const circuit = role.circuit;
      const circuitState = circuit ? (circuit.enabled === false ? 'off' : circuit.state) : null;
      const series = roleSeries(role.role);
      const own = workers.filter(w => w.role === role.role);
      return h('article', { class: 'card role', data: { role: role.role } },
        h('div', { class: 'heading' }, h('h2', { text: role.role }),
          info?.runner ? h('span', { class: 'chip runner', title: 'runner kind', text: info.runner }) : null,
          circuitState ? h('span', { class: ['chip', 'circuit', 'circuit-' + circuitState.replace(/[^a-z_]/g, '')], text: 'circuit ' + circuitState.replaceAll('_', ' ') }) : null),
        h('dl', { class: 'stats' },
          stat('Depth', fmt.count(role.queueDepth)),
          stat('In flight', fmt.count(role.inFlight)),
          stat('Retrying', fmt.count(role.retrying)),
          stat('Oldest waiting', role.oldestWaitingSeconds === null || role.oldestWaitingSeconds === undefined ? '–' : fmt.seconds(role.oldestWaitingSeconds)),
          stat('Failure rate', fmt.percent(failureRate)),
          stat('Succeeded', fmt.count(role.succeeded)),
          stat('Dead-lettered', fmt.count(role.deadLettered)),
          stat('p50', fmt.ms(latency.p50)),
          stat('p95', fmt.ms(latency.p95)),
          stat('p99', fmt.ms(latency.p99)),
          role.desiredWorkers === null || role.desiredWorkers === undefined ? null : stat('Desired workers', fmt.count(role.desiredWorkers)),
          role.usage ? stat('Usage', fmt.usage(role.usage) || '–') : null),
        h('div', { class: 'charts' },
          sparkline(series.map(p => ({ at: p.at, value: p.depth })), { label: 'depth', now }),
          sparkline(series.map(p => ({ at: p.at, value: p.throughput })), { label: 'throughput', unit: '/s', now })),
        own.length
          ? h('ul', { class: 'workers' }, own.map(w => h('li', null, h('span', { class: 'id', text: w.workerId }), ` last seen ${fmt.age(w.lastSeenAt, now)}`)))
          : h('p', { class: 'muted', text: 'No remote worker seen.' }),
        circuit ? h('p', { class: 'circuit-facts muted', text: circuitFacts(circuit) }) : null,
        info ? h('p', { class: 'catalog muted', text: catalogFacts(info) }) : null);
    }));
  }

  const refresh = every(REFRESH_MS, load);
  return () => refresh.stop();
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('dt', { text: label }), h('dd', { class: 'num', text: value }));
}

function round(value) {
  return value === null || value === undefined ? '–' : String(Math.round(value * 100) / 100);
}

function cell(label, text) {
  return h('td', { data: { label } }, h('div', { class: 'cell', text }));
}

/** The breaker's window and, while open, when it lets a probe through (the `circuit` of a role in /api/metrics). */
function circuitFacts(c) {
  if (c.enabled === false) return 'circuit breaker off';
  const parts = [`circuit ${c.state.replaceAll('_', ' ')}`];
  if (c.openUntil) parts.push(`probe ${fmt.until(c.openUntil)}`);
  parts.push(`${c.failures ?? 0} of ${c.attempts ?? 0} attempts failed in the window`);
  if (c.openings) parts.push(`opened ${c.openings} time${c.openings === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

function catalogFacts(info) {
  const parts = [];
  parts.push(`runner ${info.runner}`);
  parts.push(info.capabilities?.length ? 'capabilities: ' + info.capabilities.join(', ') : 'no capabilities declared');
  if (info.requiresApproval) parts.push('requires approval');
  const retry = info.retry;
  if (retry) parts.push(`retry: ${retry.maxAttempts ?? '?'} attempts, first delay ${retry.firstDelay ?? '?'}`);
  return parts.join(' · ');
}
