// The right-hand panel: an area's profile and the gap analysis (tabs) — the gap table of the
// chosen period, the SII trend across periods, or a service's reach — and search results.
// Each fetches from the API and renders with panels.js; sequence numbers drop answers that
// arrive after the user has moved on.

import { api } from './api.js';
import { areaPanelHtml, renderGapPanel, renderTrendPanel } from './panels.js';
import { isImdChoice } from './choropleth.js';
import { esc } from './format.js';

export function showEmptyArea(ctx) {
  ctx.ui.areaPanel.innerHTML = '<div class="empty-state"><p><strong>Click an area on the map</strong>, or search for a place, area code or postcode, to see its deprivation and every indicator with its 95% confidence interval.</p></div>';
}

/** Load and show an area's profile; `fly` fits the map to it. */
export async function showArea(ctx, code, { fly = false } = {}) {
  const { ui } = ctx;
  ui.areaPanel.setAttribute('aria-busy', 'true');
  try {
    const area = await api.area(code);
    if (ctx.state.area !== code) return;
    ctx.currentArea = area;
    ui.areaPanel.innerHTML = areaPanelHtml(area, {
      edition: ctx.editionFor(ctx.state.level), levelLabel: ctx.levelLabel, localityLabel: ctx.localityLabel,
      currentIndicator: ctx.state.ind, suppressMax: ctx.meta.suppress_max_count ?? 4,
    });
    if (fly && Array.isArray(area.bbox) && area.bbox.length === 4) {
      const [w, s, e, n] = area.bbox;
      ctx.map.fitBounds([[w, s], [e, n]], { padding: 60, maxZoom: 12.5, duration: ctx.reducedMotion() ? 0 : 700 });
    }
  } catch (e) {
    ui.areaPanel.innerHTML = `<div class="empty-state"><p>Could not load ${esc(code)}: ${esc(e.message)}</p></div>`;
    ctx.currentArea = null;
  } finally {
    ui.areaPanel.removeAttribute('aria-busy');
  }
}

export function markCurrentIndicator(ctx) {
  for (const li of ctx.ui.areaPanel.querySelectorAll('.ind-item')) li.classList.toggle('current', li.dataset.indicator === ctx.state.ind);
}

/** Show the area or the gaps tab. */
export function showTab(ctx, tab, { focus = false } = {}) {
  const { ui } = ctx;
  for (const [id, button, panel] of [['area', ui.tabArea, ui.panelArea], ['gaps', ui.tabGaps, ui.panelGaps], ['place', ui.tabPlace, ui.panelPlace]]) {
    const on = id === tab;
    button.setAttribute('aria-selected', String(on));
    button.tabIndex = on ? 0 : -1;
    panel.hidden = !on;
    if (on && focus) button.focus();
  }
}

/** The indicator the gap panel shows: its own choice, else the map's indicator, else the first. */
export function gapIndicatorId(ctx) {
  const { state } = ctx;
  if (state.gind && ctx.indicatorById(state.gind)) return state.gind;
  if (!isImdChoice(state.ind) && ctx.indicatorById(state.ind)) return state.ind;
  return ctx.indicators[0]?.id;
}

/**
 * Fetch and draw the gap table for the panel's indicator and grouping — within the chosen
 * locality when one is chosen and the grouping allows it — in the chosen period, at the map's
 * level, falling back to the indicator's own level; then the SII trend across periods below it.
 * A reach indicator's table comes from /api/reach, with its reading in words.
 */
export async function refreshGaps(ctx) {
  const { ui, state } = ctx;
  const seq = ++ctx.gapSeq;
  const id = gapIndicatorId(ctx);
  const indicator = ctx.indicatorById(id);
  ui.trendPanel.replaceChildren();
  if (!indicator) { ui.gapPanel.innerHTML = '<p class="hint">No indicators are loaded.</p>'; return; }
  if (indicator.service) { await refreshReach(ctx, indicator, seq); return; }
  const period = ctx.periodFor(id);
  ui.gapIndicator.value = id;
  ui.gapBy.value = state.by;
  const grouping = ctx.grouping(state.by);
  const locality = state.loc && grouping?.locality_scope ? state.loc : '';
  let level = state.level;
  let note = '';
  ui.gapPanel.setAttribute('aria-busy', 'true');
  try {
    let gaps;
    try {
      gaps = await api.gaps(id, state.by, level, locality, period);
    } catch (e) {
      if (!indicator.level || indicator.level === level) throw e;
      level = indicator.level;
      note = `at ${ctx.levelLabel(level)}, the indicator's own level`;
      gaps = await api.gaps(id, state.by, level, locality, period);
    }
    if (seq !== ctx.gapSeq) return;
    ctx.currentGaps = { ...gaps, requestedLevel: level };
    renderGapPanel(ui.gapPanel, gaps, indicator, {
      csv: api.gapsDownload(id, state.by, level, 'csv', locality, period),
      xlsx: api.gapsDownload(id, state.by, level, 'xlsx', locality, period),
      geojson: api.geoDownload(id, level, period),
    }, note, grouping?.label ?? state.by);
    if (grouping?.deprivation && (indicator.periods?.length ?? 0) > 1) ctx.track(refreshTrend(ctx, { id, indicator, level, locality, seq }));
  } catch (e) {
    if (seq !== ctx.gapSeq) return;
    ctx.currentGaps = null;
    ui.gapPanel.innerHTML = `<div class="empty-state"><p>Could not compute gaps for ${esc(indicator.short_name)} by ${esc(state.by)}: ${esc(e.message)}</p></div>`;
  } finally {
    ui.gapPanel.removeAttribute('aria-busy');
  }
}

/** The SII per period (sparkline with 95% CIs) and the change in words, under the gap chart. */
async function refreshTrend(ctx, { id, indicator, level, locality, seq }) {
  const { ui, state } = ctx;
  ui.trendPanel.setAttribute('aria-busy', 'true');
  ui.trendPanel.innerHTML = '<p class="hint">Computing the gap trend across periods…</p>';
  try {
    const trend = await api.trend(id, state.by, level, locality);
    if (seq !== ctx.gapSeq) return;
    ctx.currentTrend = trend;
    const shown = ctx.currentGaps?.indicator?.period ?? indicator.period;
    renderTrendPanel(ui.trendPanel, trend, indicator, shown, {
      csv: api.trendDownload(id, state.by, level, 'csv', locality),
      xlsx: api.trendDownload(id, state.by, level, 'xlsx', locality),
    });
  } catch (e) {
    if (seq !== ctx.gapSeq) return;
    ctx.currentTrend = null;
    ui.trendPanel.innerHTML = `<p class="hint">No gap trend: ${esc(e.message)}</p>`;
  } finally {
    ui.trendPanel.removeAttribute('aria-busy');
  }
}

/** A service's reach by the chosen grouping (/api/reach): the chart, SII/RII, the reading in words. */
async function refreshReach(ctx, indicator, seq) {
  const { ui, state } = ctx;
  const grouping = ctx.grouping(state.by);
  const locality = state.loc && grouping?.locality_scope ? state.loc : '';
  ui.gapPanel.setAttribute('aria-busy', 'true');
  try {
    const report = await api.reach(indicator.service, state.by, locality);
    if (seq !== ctx.gapSeq) return;
    ctx.currentGaps = { ...report.table, requestedLevel: report.table.level, reach: report };
    renderGapPanel(ui.gapPanel, report.table, indicator, {
      csv: api.reachDownload(indicator.service, state.by, 'csv', locality),
      xlsx: api.reachDownload(indicator.service, state.by, 'xlsx', locality),
      geojson: api.geoDownload(indicator.id, report.table.level),
    }, '', grouping?.label ?? state.by, { reading: report.reading, notes: report.notes });
  } catch (e) {
    if (seq !== ctx.gapSeq) return;
    ctx.currentGaps = null;
    ui.gapPanel.innerHTML = `<div class="empty-state"><p>Could not compute the reach of ${esc(indicator.service)} by ${esc(state.by)}: ${esc(e.message)}</p></div>`;
  } finally {
    ui.gapPanel.removeAttribute('aria-busy');
  }
}

/** Postcodes first, then areas at the level on the map, then the rest, each in the server's order. */
export function rankSearchResults(ctx, results) {
  if (!Array.isArray(results)) return [];
  const rank = (r) => (r.kind === 'postcode' ? 0 : r.level === ctx.state.level ? 1 : r.level === 'locality' ? 2 : 3);
  return results.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map((x) => x.r);
}
