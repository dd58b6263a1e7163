// The one way the page talks to the server: the same JSON API every client uses, with the key from sessionStorage
// in x-functions-key. No cookies are sent or kept (credentials: 'omit'), so the API has no CSRF surface here.

const KEY_STORAGE = 'agentfunctions.key';

/** /api/ — the dashboard is served at /api/dashboard, its scripts at /api/dashboard/*.js. */
export const apiBase = new URL('../', import.meta.url);

export function getKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function setKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage disabled: the key lasts as long as this page.
  }
  memoryKey = key;
}

let memoryKey = null;

export function url(path, query) {
  const target = new URL(path, apiBase);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') target.searchParams.set(name, String(value));
  }
  return target;
}

/**
 * Calls the API. Never throws for an HTTP answer: resolves to { ok, status, data, body, problem, response }, where problem is
 * the problem+json body ({ title, status, detail }) or one made up from the status line when the body is not one.
 * A network failure resolves with status 0.
 */
export async function call(method, path, { query, body, raw = false, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  const key = memoryKey ?? getKey();
  if (key) headers['x-functions-key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
      signal,
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    return { ok: false, status: 0, data: null, problem: { status: 0, title: 'No answer', detail: `the server did not answer (${error?.message ?? error})` } };
  }

  const result = { ok: response.ok, status: response.status, data: null, problem: null, response };
  if (raw && response.ok) return result;
  const type = response.headers.get('Content-Type') ?? '';
  let parsed = null;
  if (response.status !== 204 && /json/i.test(type)) {
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
  }

  // Some error answers carry a document of their own (a 503 from /health still holds the health report).
  result.body = parsed;
  if (response.ok) {
    result.data = parsed;
  } else {
    result.problem = parsed && typeof parsed === 'object' && ('detail' in parsed || 'title' in parsed)
      ? { status: response.status, title: String(parsed.title ?? response.statusText), detail: String(parsed.detail ?? ''), body: parsed }
      : { status: response.status, title: response.statusText || 'Error', detail: `the server answered ${response.status} without a problem description` };
    if (response.status === 401) {
      window.dispatchEvent(new CustomEvent('agentfunctions:unauthorized', { detail: result.problem }));
    }
  }

  return result;
}

/** "403 Forbidden: key 'viewer' lacks …" — how an error answer is shown, always as text. */
export function describe(problem) {
  if (!problem) return '';
  const head = problem.status ? `${problem.status} ${problem.title}` : problem.title;
  return problem.detail ? `${head}: ${problem.detail}` : head;
}

/** An artifact as a Blob, downloaded with the key header (a plain link could not send it). */
export async function download(path, fileName) {
  const answer = await call('GET', path, { raw: true });
  if (!answer.ok) return answer;
  const blob = await answer.response.blob();
  const href = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
  return answer;
}
