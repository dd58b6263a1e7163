// What the key in use may do, from GET /api/whoami, so controls it may not use are shown disabled with the reason.
import { call, describe } from './api.js';

let current = { known: false, scopes: [], keyName: null, source: null, problem: null };

export function access() {
  return current;
}

/** Asks the server; on 401 the key is missing or wrong, and every control that needs a scope says so. */
export async function refreshAccess() {
  const answer = await call('GET', 'whoami');
  if (answer.ok && answer.data) {
    current = { known: true, scopes: answer.data.scopes ?? [], keyName: answer.data.keyName ?? null, source: answer.data.source ?? null, problem: null };
  } else if (answer.status === 404) {
    // A server without the route: it decides each call itself, and the page shows what it answers.
    current = { known: false, scopes: [], keyName: null, source: null, problem: null };
  } else {
    current = { known: true, scopes: [], keyName: null, source: null, problem: answer.problem };
  }
  return current;
}

/** True when the key may use an action that needs one of these scopes (admin may do everything). */
export function can(...scopes) {
  if (!current.known) return true;
  return current.scopes.includes('admin') || scopes.some(scope => current.scopes.includes(scope));
}

/** Why a control is disabled, in words, or '' when it is allowed. */
export function denial(...scopes) {
  if (can(...scopes)) return '';
  if (current.problem) return `not allowed: ${describe(current.problem)}`;
  const who = current.keyName ? `key '${current.keyName}'` : 'this key';
  const has = current.scopes.length ? current.scopes.join(', ') : 'no scope';
  return `needs the ${scopes.join(' or ')} scope; ${who} has ${has}`;
}

export function summary() {
  if (!current.known) return 'the server does not say what this key may do';
  if (current.problem) return describe(current.problem);
  switch (current.source) {
    case 'loopback': return 'no keys configured: loopback callers may do everything';
    case 'host': return 'key checked by the host: every route';
    default: return `key '${current.keyName}': ${current.scopes.join(', ')}`;
  }
}
