// Plain formatting of what the API returns: times in the browser's zone, ages, sizes, rates.

export function time(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour12: false })
    : date.toLocaleString(undefined, { hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function isoTitle(value) {
  return value ? new Date(value).toISOString() : '';
}

export function age(value, now = Date.now()) {
  if (!value) return '';
  return seconds((now - new Date(value).getTime()) / 1000) + ' ago';
}

export function until(value, now = Date.now()) {
  if (!value) return '';
  const s = (new Date(value).getTime() - now) / 1000;
  return s <= 0 ? 'due now' : 'in ' + seconds(s);
}

export function seconds(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '';
  const s = Math.max(0, value);
  if (s < 1) return s.toFixed(1) + ' s';
  if (s < 90) return Math.round(s) + ' s';
  if (s < 5400) return Math.round(s / 60) + ' min';
  if (s < 172800) return (s / 3600).toFixed(1) + ' h';
  return (s / 86400).toFixed(1) + ' d';
}

export function ms(value) {
  if (value === null || value === undefined) return '–';
  return value < 1000 ? Math.round(value) + ' ms' : (value / 1000).toFixed(value < 10000 ? 2 : 1) + ' s';
}

export function bytes(value) {
  if (value === null || value === undefined) return '';
  if (value < 1024) return value + ' B';
  if (value < 1024 * 1024) return (value / 1024).toFixed(1) + ' KiB';
  return (value / 1024 / 1024).toFixed(1) + ' MiB';
}

export function percent(ratio) {
  return ratio === null || ratio === undefined || Number.isNaN(ratio) ? '–' : (ratio * 100).toFixed(ratio < 0.1 && ratio > 0 ? 1 : 0) + ' %';
}

export function usage(value) {
  if (!value) return '';
  const parts = [];
  if (value.inputTokens || value.outputTokens) parts.push(`${value.inputTokens ?? 0} in / ${value.outputTokens ?? 0} out tokens`);
  if (value.costUsd) parts.push('$' + Number(value.costUsd).toFixed(4));
  return parts.join(', ');
}

export function count(value) {
  return value === null || value === undefined ? '–' : String(value);
}
