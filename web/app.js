// gapmap web map: boot and the actions that change what is shown. Everything shared lives in
// one context object (js/context.js); the pieces are in js/: map.js (the map, its events and
// colours from /api/legend), controls.js (selects incl. the period, header, banner), details.js
// (area profile, gap panel with the SII trend sparkline, a service's reach panel, search),
// place.js (the what-if placement panel), url.js (URL sync), and the pure helpers state.js,
// api.js, mapview.js, choropleth.js, panels.js, chart.js, search.js, scales.js, format.js.
//
// Test hooks (tests/browser/): window.__map (the MapLibre map), window.__mapIdle (resolves at
// the first idle after the first choropleth is drawn), window.__app (the context: state,
// legend, timings, settled()).

import { api } from './js/api.js';
import { createContext } from './js/context.js';
import { isImdChoice } from './js/choropleth.js';
import {
  createMap, addOverlays, loadChoropleth, applyChoropleth, replaceAreaLayers, updateLabels, applyOverlays, applySelection,
  applyLocalityFilter, loadSites, zoomToLocality, setMarker, clearMarker,
} from './js/map.js';
import { setupControls, fillIndicatorSelect, fillPeriodSelect, fillLocalities, updateHeader, updateBanner } from './js/controls.js';
import { showArea, showEmptyArea, markCurrentIndicator, showTab, refreshGaps, gapIndicatorId, rankSearchResults } from './js/details.js';
import { commit, applyUrlState } from './js/url.js';
import { LAYER } from './js/mapview.js';
import { setupPlacePanel, showControls, addSiteAt, evaluateSites, placeState } from './js/place.js';

// MapLibre (1.1 MB) is imported dynamically so the API requests below start while it loads;
// index.html modulepreloads it, so its download starts with the page.
const maplibreP = import('/vendor/maplibre-gl/maplibre-gl.mjs');

const ctx = createContext();
window.__app = ctx;
let resolveFirstIdle;
window.__mapIdle = new Promise((resolve) => { resolveFirstIdle = resolve; });

const actions = {
  setIndicator, setPeriod, setLevel, setLocality, setTab, selectArea, clearArea, pickSearchResult, applyOverlays: () => applyOverlays(ctx),
  setGapGrouping(by) { ctx.state.by = by; commit(ctx, true); ctx.track(refreshGapPanel()); },
  setGapIndicator(id) { ctx.state.gind = id; commit(ctx, true); ctx.track(refreshGapPanel()); },
  search: (q) => api.search(q).then((r) => rankSearchResults(ctx, r)),
  applyUrlState: () => applyUrlState(ctx, actions),
  updateBanner: () => updateBanner(ctx, gapIndicatorId(ctx)),
  commit: (push) => commit(ctx, push),
  /** The placement scenario changed in the URL (back/forward): show it. */
  applyPlaceState: () => { showControls(ctx); if (ctx.timings.firstChoropleth) ctx.track(evaluateSites(ctx)); },
};
ctx.place = placeState(actions);

boot().catch((e) => {
  console.error('gapmap could not start:', e);
  ctx.status(`Could not load the map: ${e.message}`, 0);
});

/**
 * Start every request the first picture needs at once — meta, the groupings, indicators, the
 * tiles' TileJSON and the legend of the layer to draw — and create the map with its whole
 * style as soon as MapLibre and those have arrived; area lists, labels and sites follow.
 */
async function boot() {
  const metaP = api.meta();
  const indicatorsP = api.indicators().catch(() => []);
  const groupingsP = api.groupings().catch(() => []);
  // The legend (and values) of the layer to draw, at the URL's level or — without one — the
  // server's default level, fetched before /api/meta has even answered.
  const early = ctx.state.level;
  const earlyTilejson = early ? api.tilejson(early).catch(() => null) : null;
  const earlyChoropleth = loadChoropleth(ctx, ctx.state.ind, early || undefined, ctx.state.period).catch(() => null);
  const meta = await metaP;
  ctx.meta = meta;
  ctx.defaults.level = meta.default_level;
  const levels = meta.levels ?? [];
  if (!levels.some((l) => l.id === ctx.state.level)) ctx.state.level = meta.default_level ?? levels[0]?.id;
  const level = ctx.state.level;
  const tilejsonP = level === early && earlyTilejson ? earlyTilejson : api.tilejson(level).catch(() => null);
  ctx.areasReady = ctx.track(loadAreas(level));
  const [indicators, groupings] = await Promise.all([indicatorsP, groupingsP]);
  ctx.indicators = Array.isArray(indicators) ? indicators : [];
  ctx.groupings = Array.isArray(groupings) ? groupings : [];
  if (!ctx.groupings.some((g) => g.id === ctx.state.by)) ctx.state.by = ctx.defaults.by;
  if (!isImdChoice(ctx.state.ind) && !ctx.indicators.some((i) => i.id === ctx.state.ind)) ctx.state.ind = ctx.defaults.ind;
  ctx.state.period = ctx.periodFor(ctx.state.ind);
  let choropleth = await earlyChoropleth;
  if (!choropleth || choropleth.legend.layer !== ctx.state.ind || choropleth.legend.level !== level || (choropleth.period ?? '') !== ctx.state.period) {
    choropleth = await loadChoropleth(ctx, ctx.state.ind, level, ctx.state.period);
  }
  setupControls(ctx, actions);
  setupPlacePanel(ctx, actions);
  const [tilejson, maplibregl] = await Promise.all([tilejsonP, maplibreP]);
  ctx.maplibregl = maplibregl;
  const map = createMap(ctx, { tilejson, legend: choropleth.legend }, {
    selectArea: (code) => selectArea(code, { fly: false, push: true }),
    viewChanged: () => commit(ctx, false),
    placeAt: (lngLat) => addSiteAt(ctx, lngLat, actions),
  });
  await new Promise((resolve) => (map.loaded() ? resolve() : map.once('load', resolve)));
  await drawChoropleth(choropleth, { first: true });
}

/** Once the first choropleth shows: the localities, everything drawn over the map, the sites. */
async function afterFirstPicture() {
  await ctx.areasReady;
  fillLocalities(ctx);
  addOverlays(ctx);
  await loadSites(ctx);
}

async function loadAreas(level) {
  const hasLocalities = ctx.meta.levels?.some((l) => l.id === 'locality');
  const [areas, localities] = await Promise.all([
    api.areas(level).catch(() => []),
    hasLocalities ? api.areas('locality').catch(() => []) : Promise.resolve([]),
  ]);
  if (ctx.state.level !== level) return;
  ctx.areas = Array.isArray(areas) ? areas : [];
  const list = Array.isArray(localities) ? localities : [];
  ctx.localities = new Map(list.map((l) => [l.code, l.name || l.code]));
  // Areas name their locality; the locality level has a code per locality (for its bbox).
  ctx.localityCodes = new Map(list.flatMap((l) => [[l.code, l.code], [l.name, l.code], [l.locality, l.code]]).filter(([k]) => k));
  for (const a of ctx.areas) if (a.locality && !ctx.localities.has(a.locality)) ctx.localities.set(a.locality, a.locality);
}

/** Draw a fetched choropleth; on the first, wait for the map to show it and record the time. */
async function drawChoropleth(choropleth, { first = false } = {}) {
  applyChoropleth(ctx, choropleth);
  const indicator = ctx.indicatorById(ctx.state.ind);
  ctx.ui.indicatorNote.textContent = indicator?.synthetic ? 'Synthetic demonstration data — not official statistics.'
    : isImdChoice(ctx.state.ind) && !ctx.editionFor(ctx.state.level) ? `IMD is not available for ${ctx.levelLabel(ctx.state.level)}.` : '';
  updateHeader(ctx);
  actions.updateBanner();
  if (!first) return;
  await new Promise((resolve) => { ctx.map.once('idle', resolve); ctx.map.triggerRepaint(); });
  ctx.timings.firstChoropleth = Math.round(performance.now());
  ctx.track(afterFirstPicture());
  resolveFirstIdle(true);
  if (!ctx.state.view) {
    const c = ctx.map.getCenter();
    ctx.state.view = { zoom: ctx.map.getZoom(), lat: c.lat, lon: c.lng };
  }
  commit(ctx, false);
  if (ctx.state.area) ctx.track(selectArea(ctx.state.area, { fly: false, push: false }));
  if (ctx.state.tab === 'gaps') ctx.track(refreshGapPanel());
  // A shared link's placement scenario: evaluate its sites (drawn over the map).
  ctx.track(evaluateSites(ctx));
}

/** Colour the map for the current layer and level (fetching legend and values). */
async function renderChoropleth() {
  const seq = ++ctx.choroplethSeq;
  const { ind, level } = ctx.state;
  let choropleth;
  try {
    choropleth = await loadChoropleth(ctx, ind, level, ctx.periodFor(ind));
  } catch (e) {
    if (seq !== ctx.choroplethSeq) return;
    const indicator = ctx.indicatorById(ind);
    // An indicator published at another level: show that level instead.
    if (indicator?.level && indicator.level !== level && ctx.levelInfo(indicator.level)) {
      ctx.status(`${indicator.short_name} is published for ${ctx.levelLabel(indicator.level)}: showing those areas`);
      await setLevel(indicator.level, { push: false });
      return;
    }
    ctx.status(`No values for ${ctx.levelLabel(level)}: ${e.message}`);
    return;
  }
  if (seq !== ctx.choroplethSeq) return;
  await drawChoropleth(choropleth);
}

// ---------------------------------------------------------------------------------------------
// Actions: each changes the state, the URL and what is drawn.

async function setIndicator(id, { push = true, period } = {}) {
  ctx.state.ind = id;
  ctx.ui.indicator.value = id;
  // Keep the chosen period when the new indicator has it (e.g. another 3-year rolling series).
  if (period !== undefined) ctx.state.period = period;
  ctx.state.period = ctx.periodFor(id);
  fillPeriodSelect(ctx);
  if (!isImdChoice(id)) {
    ctx.state.gind = id;
    ctx.ui.gapIndicator.value = id;
  }
  commit(ctx, push);
  await ctx.track(renderChoropleth());
  if (ctx.state.tab === 'gaps') await ctx.track(refreshGapPanel());
  if (ctx.currentArea) markCurrentIndicator(ctx);
}

/** Show another period of the map's indicator ('' = the latest): the map and the gap panel. */
async function setPeriod(period, { push = true } = {}) {
  ctx.state.period = period;
  ctx.state.period = ctx.periodFor(ctx.state.ind);
  ctx.ui.period.value = ctx.state.period;
  commit(ctx, push);
  await ctx.track(renderChoropleth());
  if (ctx.state.tab === 'gaps') await ctx.track(refreshGapPanel());
}

async function setLevel(level, { push = true } = {}) {
  if (!ctx.levelInfo(level)) return;
  const changed = level !== ctx.state.level;
  ctx.state.level = level;
  ctx.ui.level.value = level;
  if (changed) {
    clearArea();
    ctx.areas = [];
    ctx.areasReady = ctx.track(loadAreas(level));
    const [tilejson, choropleth] = await Promise.all([api.tilejson(level).catch(() => null), loadChoropleth(ctx, ctx.state.ind, level, ctx.periodFor(ctx.state.ind)).catch(() => null)]);
    const legend = choropleth?.legend ?? (await api.legend('imd-decile', level));
    replaceAreaLayers(ctx, tilejson, legend);
    await ctx.areasReady;
    fillLocalities(ctx);
    applyLocalityFilter(ctx);
    updateLabels(ctx);
    fillIndicatorSelect(ctx);
    if (isImdChoice(ctx.state.ind) && !ctx.editionFor(level)) ctx.status(`IMD is not available for ${ctx.levelLabel(level)}`);
  }
  commit(ctx, push);
  await ctx.track(renderChoropleth());
  if (ctx.state.tab === 'gaps') await ctx.track(refreshGapPanel());
}

function setLocality(loc, { zoom = true, push = true } = {}) {
  ctx.state.loc = loc;
  ctx.ui.locality.value = loc;
  applyLocalityFilter(ctx);
  updateHeader(ctx);
  if (zoom) zoomToLocality(ctx, loc);
  commit(ctx, push);
  if (ctx.state.tab === 'gaps' && ctx.timings.firstChoropleth) ctx.track(refreshGapPanel());
}

async function selectArea(code, { fly = false, push = true, showTab: show = push === true } = {}) {
  ctx.state.area = code;
  applySelection(ctx);
  if (show) setTab('area', { push: null, focus: false });
  commit(ctx, push);
  await showArea(ctx, code, { fly });
  updateHeader(ctx);
  actions.updateBanner();
}

function clearArea() {
  ctx.state.area = '';
  ctx.currentArea = null;
  applySelection(ctx);
  showEmptyArea(ctx);
  updateHeader(ctx);
}

function setTab(tab, { push = true, focus = false } = {}) {
  ctx.state.tab = tab;
  showTab(ctx, tab, { focus });
  if (push !== null) commit(ctx, push);
  if (tab === 'gaps' && ctx.map && ctx.timings.firstChoropleth) ctx.track(refreshGapPanel());
  actions.updateBanner();
}

async function refreshGapPanel() {
  await refreshGaps(ctx);
  actions.updateBanner();
}

async function pickSearchResult(r) {
  const { map } = ctx;
  if (r.kind === 'postcode' || !r.code || (r.level && r.level !== ctx.state.level && !ctx.levelInfo(r.level))) {
    if (Number.isFinite(r.lon) && Number.isFinite(r.lat)) {
      setMarker(ctx, r);
      map.flyTo({ center: [r.lon, r.lat], zoom: Math.max(map.getZoom(), 12), duration: ctx.reducedMotion() ? 0 : 700 });
      await new Promise((resolve) => map.once('idle', resolve));
      const f = map.queryRenderedFeatures(map.project([r.lon, r.lat]), { layers: [LAYER.fill] })[0];
      if (f) await selectArea(f.properties.code, { fly: false, push: true });
    }
    return;
  }
  if (r.level && r.level !== ctx.state.level && !['la', 'locality'].includes(r.level)) await setLevel(r.level, { push: false });
  if (r.level === 'locality') { setLocality(r.code, { zoom: true }); return; }
  clearMarker(ctx);
  await selectArea(r.code, { fly: true, push: true });
}
