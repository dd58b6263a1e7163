// Roles: health with its reasons, then per role the runner kind, depth, in flight, retrying, oldest wait, failure
// rate, attempt latency p50/p95/p99, workers and when each was last seen, circuit state where the server reports it,
// and small charts of depth and throughput drawn from /api/metrics samples taken by this page.
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
  let catalog = null; // GET /api/roles, once; null until read, false where the server has no such route.
  let catalogNote = '';

  container.append(
    h('section', { class: 'panel' }, h('div', { class: 'heading' }, h('h1', { text: 'Health' }), liveInfo), health),
    h('section', { class: 'panel' }, h('h1', { text: 'Roles' }), error, notes, roles));

  async function load() {
    const [healthAnswer, metrics] = await Promise.all([call('GET', 'health'), sampleMetrics(), catalog === null ? loadCatalog() : null]);
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
      const items = Array.isArray(answer.data) ? answer.data : (answer.data?.items ?? answer.data?.roles ?? []);
      catalog = new Map(items.map(r => [r.name ?? r.role, r]));
    } else {
      catalog = false;
      catalogNote = answer.status === 404
        ? 'This server offers no role catalog (GET /api/roles answered 404): runner kinds are not shown.'
        : 'Role catalog unavailable: ' + describe(answer.problem);
    }
  }

  function renderHealth(answer) {
    // 503 still carries the report.
    const report = answer.data ?? answer.problem?.body ?? null;
    if (!report || !report.status) {
      fill(health, h('p', { class: 'error', text: 'Health unavailable: ' + describe(answer.problem) }));
      return;
    }
    const reasons = Array.isArray(report.reasons) ? report.reasons : [];
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
      const runner = info ? (info.runner ?? info.runnerKind ?? info.kind ?? '') : '';
      const circuit = circuitOf(role);
      const series = roleSeries(role.role);
      const own = workers.filter(w => w.role === role.role);
      return h('article', { class: 'card role', data: { role: role.role } },
        h('div', { class: 'heading' }, h('h2', { text: role.role }), runner ? h('span', { class: 'chip', text: runner }) : null,
          circuit ? h('span', { class: ['chip', 'circuit-' + circuit.replace(/[^a-z_-]/gi, '')], text: 'circuit ' + circuit }) : null),
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
          role.desiredWorkers !== undefined ? stat('Desired workers', fmt.count(role.desiredWorkers)) : null,
          stat('Circuit', circuit ?? 'not reported'),
          role.usage ? stat('Usage', fmt.usage(role.usage) || '–') : null),
        h('div', { class: 'charts' },
          sparkline(series.map(p => ({ at: p.at, value: p.depth })), { label: 'depth', now }),
          sparkline(series.map(p => ({ at: p.at, value: p.throughput })), { label: 'throughput', unit: '/s', now })),
        own.length
          ? h('ul', { class: 'workers' }, own.map(w => h('li', null, h('span', { class: 'id', text: w.workerId }), ` last seen ${fmt.age(w.lastSeenAt, now)}`)))
          : h('p', { class: 'muted', text: 'No remote worker seen.' }),
        info ? h('p', { class: 'muted', text: catalogFacts(info) }) : null);
    }));
  }

  const refresh = every(REFRESH_MS, load);
  return () => refresh.stop();
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('dt', { text: label }), h('dd', { class: 'num', text: value }));
}

/** The circuit state, however the server spells it: "circuit": "open" or { state }, or "circuitState". */
function circuitOf(role) {
  const value = role.circuit ?? role.circuitState ?? role.circuitBreaker ?? null;
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : (value.state ?? JSON.stringify(value));
}

function catalogFacts(info) {
  const parts = [];
  if (info.capabilities?.length) parts.push('capabilities: ' + info.capabilities.join(', '));
  if (info.requiresApproval || info.approval) parts.push('requires approval');
  const retry = info.retry;
  if (retry) parts.push(`retry: ${retry.maxAttempts ?? '?'} attempts, first delay ${retry.firstDelay ?? '?'}`);
  return parts.join(' · ');
}
