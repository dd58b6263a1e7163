// A small SVG line chart drawn in the page (no chart library, nothing from a CDN).
import { h, s } from './dom.js';

const WIDTH = 240;
const HEIGHT = 56;

/** points: [{ at, value }] over the last windowMs; label says what is drawn, e.g. "depth". */
export function sparkline(points, { label, unit = '', windowMs = 10 * 60 * 1000, now = Date.now() } = {}) {
  const shown = points.filter(p => p.value !== null && p.value !== undefined && p.at >= now - windowMs);
  const max = Math.max(1, ...shown.map(p => p.value));
  const x = at => ((at - (now - windowMs)) / windowMs) * WIDTH;
  const y = value => HEIGHT - 2 - (value / max) * (HEIGHT - 4);
  const last = shown.length ? shown[shown.length - 1].value : null;
  const figure = h('figure', { class: 'chart' });
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': `${label} over the last ${Math.round(windowMs / 60000)} minutes` },
    s('line', { x1: 0, y1: HEIGHT - 1, x2: WIDTH, y2: HEIGHT - 1, class: 'axis' }),
    shown.length > 1
      ? s('polyline', { points: shown.map(p => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' '), class: 'line' })
      : null,
    shown.length === 1 ? s('circle', { cx: x(shown[0].at).toFixed(1), cy: y(shown[0].value).toFixed(1), r: 2, class: 'dot' }) : null);
  figure.append(svg, h('figcaption', null,
    h('span', { text: label }),
    h('span', { class: 'num', text: last === null ? 'no samples yet' : `${formatValue(last)}${unit} now, max ${formatValue(max)}${unit}` })));
  return figure;
}

function formatValue(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}
