// Search box: an ARIA 1.2-style combobox over /api/search (area name, area code, postcode).
// Typing debounces a query; arrow keys move through results; Enter picks the highlighted
// result (or the first); Escape closes the list.

import { esc } from './format.js';

export function setupSearch({ input, list, box, status, search, onPick, levelLabel }) {
  let results = [];
  let active = -1;
  let timer = 0;
  let seq = 0;

  const open = (on) => {
    list.hidden = !on;
    box.setAttribute('aria-expanded', String(on));
    if (!on) { active = -1; input.removeAttribute('aria-activedescendant'); }
  };

  const render = () => {
    list.innerHTML = results.map((r, i) => `<li role="option" id="search-opt-${i}" aria-selected="${i === active}" data-i="${i}">
      <span>${esc(r.name || r.code)}${r.name && r.code && r.name !== r.code ? ` <span class="kind">${esc(r.code)}</span>` : ''}</span>
      <span class="kind">${esc(r.kind === 'postcode' ? 'Postcode' : levelLabel(r.level) || r.kind)}</span></li>`).join('');
    if (active >= 0) input.setAttribute('aria-activedescendant', `search-opt-${active}`);
    else input.removeAttribute('aria-activedescendant');
    open(results.length > 0);
  };

  const run = async (q) => {
    const mine = ++seq;
    if (q.trim().length < 2) { results = []; render(); status.textContent = ''; return results; }
    try {
      const found = await search(q.trim());
      if (mine !== seq) return results;
      results = Array.isArray(found) ? found.slice(0, 12) : [];
      active = -1;
      render();
      status.textContent = results.length ? `${results.length} result${results.length === 1 ? '' : 's'}` : `Nothing found for “${q.trim()}”`;
    } catch (e) {
      if (mine !== seq) return results;
      results = []; render();
      status.textContent = `Search failed: ${e.message}`;
    }
    return results;
  };

  const pick = (i) => {
    const r = results[i];
    if (!r) return;
    open(false);
    input.value = r.name || r.code;
    status.textContent = `Showing ${r.name || r.code}`;
    onPick(r);
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 180);
  });
  input.addEventListener('keydown', async (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!results.length) return;
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : -1) + results.length) % results.length;
      render();
      list.querySelector(`#search-opt-${active}`)?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(timer);
      if (active < 0) { await run(input.value); pick(0); } else pick(active);
    } else if (e.key === 'Escape') {
      open(false);
    }
  });
  list.addEventListener('mousedown', (e) => {
    const li = e.target.closest('li[data-i]');
    if (li) { e.preventDefault(); pick(Number(li.dataset.i)); }
  });
  input.addEventListener('blur', () => setTimeout(() => open(false), 120));
}
