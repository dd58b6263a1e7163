// The dashboard's entry: the key form, the hash router (#/tasks, #/task/<id>, #/deadletters, #/roles) and the
// banner for answers that concern the whole page (401). Each view is a module with mount(container, params) that
// returns its unmount (timers stop when the operator leaves the view).
import { getKey, setKey, describe } from './api.js';
import { refreshAccess, summary } from './access.js';
import * as tasks from './views/tasks.js';
import * as task from './views/task.js';
import * as deadletters from './views/deadletters.js';
import * as roles from './views/roles.js';

const views = { tasks, task, deadletters, roles };
const main = document.getElementById('view');
const banner = document.getElementById('banner');
const keyInput = document.getElementById('key-input');
const keyStatus = document.getElementById('key-status');
let unmount = null;

/** '#/task/abc?x=1' → { name: 'task', segments: ['abc'], query: URLSearchParams } */
export function parseRoute(hash) {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [name = 'tasks', ...segments] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { name: views[name] ? name : 'tasks', segments, query: new URLSearchParams(search) };
}

function render() {
  const current = parseRoute(location.hash);
  unmount?.();
  unmount = null;
  for (const tab of document.querySelectorAll('[data-view]')) {
    const active = tab.dataset.view === current.name || (current.name === 'task' && tab.dataset.view === 'tasks');
    if (active) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  main.replaceChildren();
  main.dataset.view = current.name;
  unmount = views[current.name].mount(main, current) ?? null;
}

function showBanner(text) {
  banner.textContent = text;
  banner.hidden = !text;
}

async function applyKey() {
  showBanner('');
  const state = await refreshAccess();
  keyStatus.textContent = summary();
  keyStatus.classList.toggle('bad', Boolean(state.problem));
  if (state.problem?.status === 401 || state.problem?.status === 403) showBanner(`${describe(state.problem)}. Enter a valid key above.`);
  render();
}

window.addEventListener('agentfunctions:unauthorized', event => {
  showBanner(`${describe(event.detail)}. Enter a valid key above.`);
});

document.getElementById('key-form').addEventListener('submit', event => {
  event.preventDefault();
  setKey(keyInput.value.trim());
  keyInput.value = '';
  keyInput.placeholder = getKey() ? 'key in use (hidden)' : 'x-functions-key';
  applyKey();
});

document.getElementById('key-forget').addEventListener('click', () => {
  setKey('');
  keyInput.value = '';
  keyInput.placeholder = 'x-functions-key';
  applyKey();
});

window.addEventListener('hashchange', render);
if (getKey()) keyInput.placeholder = 'key in use (hidden)';
applyKey();
