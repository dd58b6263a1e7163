// Samples of GET /api/metrics kept in the page for ten minutes: the counts on the task list, and the depth and
// throughput charts of the roles view are drawn from them (no server-side history needed).
import { call } from './api.js';

const KEEP_MS = 10 * 60 * 1000;
const samples = [];

/** Fetches one snapshot and keeps it; resolves to the API answer. */
export async function sampleMetrics() {
  const answer = await call('GET', 'metrics', { query: { format: 'json' } });
  if (answer.ok && answer.data) {
    const at = Date.parse(answer.data.generatedAt) || Date.now();
    if (!samples.length || samples[samples.length - 1].at < at) samples.push({ at, data: answer.data });
    while (samples.length && samples[0].at < at - KEEP_MS) samples.shift();
  }
  return answer;
}

export function history() {
  return samples;
}

/** Per role: [{ at, depth, throughput }] where throughput is attempts finished per second since the previous sample. */
export function roleSeries(role) {
  const series = [];
  let previous = null;
  for (const sample of samples) {
    const metrics = sample.data.roles?.find(r => r.role === role);
    if (!metrics) {
      previous = null;
      continue;
    }
    const finished = (metrics.succeeded ?? 0) + (metrics.failedAttempts ?? 0);
    let throughput = null;
    if (previous && sample.at > previous.at) throughput = Math.max(0, finished - previous.finished) / ((sample.at - previous.at) / 1000);
    series.push({ at: sample.at, depth: metrics.queueDepth ?? 0, throughput });
    previous = { at: sample.at, finished };
  }
  return series;
}
