// Keeping the URL and the page in step: every state change is written to the URL (a history
// entry when more than the view changed), and back/forward make the page match the URL again.

import { parseState, stateToUrl, differsBeyondView } from './state.js';

const groupingIds = (ctx) => (ctx.groupings.length ? ctx.groupings.map((g) => g.id) : null);

/** Write the state to the URL: `push` a history entry, or replace the current one (`null`: write nothing new). */
export function commit(ctx, push) {
  const url = stateToUrl(ctx.state, location.pathname, ctx.defaults);
  if (url === ctx.lastUrl) return;
  const last = new URL(ctx.lastUrl, location.href);
  const prev = parseState(last.search, last.hash, ctx.defaults, groupingIds(ctx));
  if (push && differsBeyondView(prev, ctx.state)) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  ctx.lastUrl = url;
}

/** Back/forward: make the page match the URL without adding history. */
export async function applyUrlState(ctx, actions) {
  const next = parseState(location.search, location.hash, ctx.defaults, groupingIds(ctx));
  ctx.lastUrl = location.pathname + location.search + location.hash;
  const cur = ctx.state;
  if (next.level !== cur.level && ctx.levelInfo(next.level)) await actions.setLevel(next.level, { push: null });
  if (next.ind !== cur.ind) await actions.setIndicator(next.ind, { push: null, period: next.period });
  else if (next.period !== cur.period) await actions.setPeriod(next.period, { push: null });
  if (next.gind !== cur.gind) cur.gind = next.gind;
  if (next.by !== cur.by) cur.by = next.by;
  if (next.loc !== cur.loc) actions.setLocality(next.loc, { zoom: false, push: null });
  if (next.area !== cur.area) {
    if (next.area) await actions.selectArea(next.area, { fly: false, push: null });
    else actions.clearArea();
  }
  actions.setTab(next.tab, { push: null, focus: false });
  if (['pm', 'pr', 'pk', 'pn', 'ps'].some((k) => next[k] !== cur[k])) {
    for (const k of ['pm', 'pr', 'pk', 'pn', 'ps']) cur[k] = next[k];
    actions.applyPlaceState();
  }
  if (next.view) {
    ctx.map.jumpTo({ center: [next.view.lon, next.view.lat], zoom: next.view.zoom });
    ctx.state.view = next.view;
  }
  ctx.lastUrl = stateToUrl(ctx.state, location.pathname, ctx.defaults);
  actions.updateBanner();
}
