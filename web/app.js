// gapmap web map: boot, application state and wiring. The pieces it wires live in js/:
// state.js (URL state), api.js (JSON API), mapview.js (MapLibre style and layers),
// choropleth.js (colours + legend), panels.js (area profile, gap panel), chart.js (SVG
// gap chart), search.js (search combobox), scales.js / format.js (pure helpers).
//
// Test hooks (tests/browser/): window.__map (the MapLibre map), window.__mapIdle (resolves
// at the first idle after the first choropleth is drawn), window.__app (state, legend,
// timings, settled()).

import { api } from './js/api.js';
import { DEFAULTS, GAP_GROUPINGS, parseState, stateToUrl, differsBeyondView } from './js/state.js';
import {
  LAYER, AREA_SOURCE, SITES_SOURCE, LABEL_SOURCE, areaSource, areaLayers, labelLayer, labelFeatures, sitesLayer, siteStyle, drawIcons, PLACEHOLDER_FILL,
} from './js/mapview.js';
import { IMD_CHOICES, isImdChoice, imdDecileChoropleth, imdScoreChoropleth, indicatorChoropleth } from './js/choropleth.js';
import { areaPanelHtml, renderGapPanel } from './js/panels.js';
import { setupSearch } from './js/search.js';
import { esc, num, withUnit, editionLabel } from './js/format.js';

const $ = (sel) => document.querySelector(sel);
const ui = {
  indicator: $('#indicator-select'), indicatorNote: $('#indicator-note'),
  level: $('#level-select'), locality: $('#locality-select'), localityNote: $('#locality-note'),
  legend: $('#legend'), legendTitle: $('#legend-title'), legendSubtitle: $('#legend-subtitle'),
  overlay30: $('#overlay-30pct'), overlaySites: $('#overlay-sites'), overlayLabels: $('#overlay-labels'),
  siteLegend: $('#site-legend'), sources: $('#sources'),
  banner: $('#synthetic-banner'), bannerDetail: $('#synthetic-detail'),
  placeName: $('#place-name'), currentView: $('#current-view'), mapStatus: $('#map-status'),
  tabArea: $('#tab-area'), tabGaps: $('#tab-gaps'), panelArea: $('#tabpanel-area'), panelGaps: $('#tabpanel-gaps'),
  areaPanel: $('#area-panel'), gapPanel: $('#gap-panel'), gapIndicator: $('#gap-indicator-select'), gapBy: $('#gap-by-select'),
  toggleControls: $('#toggle-controls'), controls: $('#controls'),
};

// MapLibre (1.1 MB) is imported dynamically so the API requests below start while it loads;
// index.html modulepreloads it, so its download starts with the page.
const maplibreP = import('/vendor/maplibre-gl/maplibre-gl.mjs');
let maplibregl = null;

let resolveFirstIdle;
window.__mapIdle = new Promise((resolve) => { resolveFirstIdle = resolve; });

const pending = new Set();
/** Track async work so tests (and the status line) know when the page has settled. */
function track(promise) {
  pending.add(promise);
  promise.finally(() => pending.delete(promise)).catch(() => {});
  return promise;
}

const app = {
  state: parseState(location.search, location.hash),
  defaults: { ...DEFAULTS },
  meta: null,
  indicators: [],
  areas: [],            // /api/areas for the current level
  localities: new Map(), // locality id → label
  legend: null,
  currentArea: null,
  currentGaps: null,
  sites: null,
  timings: {},
  /** Resolves once pending fetches are done and the map has drawn the result. */
  async settled() {
    while (pending.size) await Promise.allSettled([...pending]);
    if (!map) return;
    await new Promise((resolve) => { map.once('idle', resolve); map.triggerRepaint(); });
  },
};
window.__app = app;

let map = null;
let choroplethSeq = 0;

// ---------------------------------------------------------------------------------------------
// Boot

boot().catch((e) => {
  console.error('gapmap could not start:', e);
  status(`Could not load the map: ${e.message}`, 0);
});

async function boot() {
  const metaP = api.meta();
  const indicatorsP = api.indicators();
  const meta = await metaP;
  app.meta = meta;
  app.defaults.level = meta.default_level;
  const levels = meta.levels ?? [];
  if (!levels.some((l) => l.id === app.state.level)) app.state.level = meta.default_level ?? levels[0]?.id;
  const level = app.state.level;
  const tilejsonP = api.tilejson(level).catch(() => null);
  const areasP = track(loadAreas(level));
  app.areasReady = areasP;
  const indicators = await indicatorsP.catch(() => []);
  app.indicators = Array.isArray(indicators) ? indicators : [];
  if (!isImdChoice(app.state.ind) && !app.indicators.some((i) => i.id === app.state.ind)) app.state.ind = DEFAULTS.ind;

  if (!isImdChoice(app.state.ind)) api.values(app.state.ind, level).catch(() => null); // warm the cache while the map starts
  fillStaticControls();
  const tilejson = await tilejsonP;
  maplibregl = await maplibreP;
  createMap(meta, level, tilejson);
  await areasP;
  fillLocalities();
  if (map.getLayer(LAYER.label)) map.getSource(LABEL_SOURCE)?.setData(labelFeatures(app.areas));
  track(loadSites());
}

async function loadAreas(level) {
  const [areas, localities] = await Promise.all([
    api.areas(level).catch(() => []),
    app.meta.levels?.some((l) => l.id === 'locality') ? api.areas('locality').catch(() => []) : Promise.resolve([]),
  ]);
  if (app.state.level !== level) return;
  app.areas = Array.isArray(areas) ? areas : [];
  app.localities = new Map((Array.isArray(localities) ? localities : []).map((l) => [l.code, l.name || l.code]));
  // Areas name their locality; the locality level has a code per locality (for its bbox).
  app.localityCodes = new Map((Array.isArray(localities) ? localities : []).flatMap((l) => [[l.code, l.code], [l.name, l.code], [l.locality, l.code]]).filter(([k]) => k));
  for (const a of app.areas) if (a.locality && !app.localities.has(a.locality)) app.localities.set(a.locality, a.locality);
}

function levelInfo(id) {
  return app.meta?.levels?.find((l) => l.id === id);
}
function levelLabel(id) {
  return levelInfo(id)?.label ?? id ?? '';
}
function editionFor(level) {
  return levelInfo(level)?.imd_editions?.[0] ?? null;
}
const localityLabel = (id) => app.localities.get(id) ?? id;
const indicatorById = (id) => app.indicators.find((i) => i.id === id);

// ---------------------------------------------------------------------------------------------
// Controls

function fillStaticControls() {
  const meta = app.meta;
  ui.placeName.textContent = `Children's health gaps · ${meta.name ?? ''}`;
  document.title = `gapmap — ${meta.name ?? 'children\'s health gaps'}`;

  ui.level.innerHTML = (meta.levels ?? []).filter((l) => l.id !== 'la' && l.id !== 'locality')
    .map((l) => `<option value="${esc(l.id)}">${esc(l.label)}${Number.isFinite(l.count) ? ` — ${num(l.count, 0)} areas` : ''}</option>`).join('');
  ui.level.value = app.state.level;
  fillIndicatorSelect();

  ui.gapBy.innerHTML = GAP_GROUPINGS.map((g) => `<option value="${g.id}">${esc(g.label)}</option>`).join('');
  ui.gapBy.value = app.state.by;
  ui.gapIndicator.innerHTML = app.indicators.map((i) => `<option value="${esc(i.id)}">${esc(i.short_name || i.name)}${i.synthetic ? ' (synthetic)' : ''}</option>`).join('');

  const attributions = Array.isArray(meta.attribution) ? meta.attribution : meta.attribution ? [meta.attribution] : [];
  const scheme = meta.locality_scheme;
  ui.sources.innerHTML = [
    ...attributions.map((a) => `<p>${esc(typeof a === 'string' ? a : a.attribution ?? a.title ?? '')}</p>`),
    scheme ? `<p>Localities: ${esc(scheme.name)}${scheme.illustrative ? ' (illustrative grouping, not the council\'s own)' : ''}.</p>` : '',
    meta.built_at ? `<p>Data built ${esc(String(meta.built_at).slice(0, 10))}.</p>` : '',
  ].join('');

  ui.indicator.addEventListener('change', () => setIndicator(ui.indicator.value));
  ui.level.addEventListener('change', () => setLevel(ui.level.value));
  ui.locality.addEventListener('change', () => setLocality(ui.locality.value, { zoom: true }));
  ui.gapBy.addEventListener('change', () => { app.state.by = ui.gapBy.value; commit(true); track(refreshGaps()); });
  ui.gapIndicator.addEventListener('change', () => { app.state.gind = ui.gapIndicator.value; commit(true); track(refreshGaps()); });
  ui.overlay30.addEventListener('change', applyOverlays);
  ui.overlaySites.addEventListener('change', applyOverlays);
  ui.overlayLabels.addEventListener('change', applyOverlays);
  ui.toggleControls.addEventListener('click', () => {
    const open = !document.body.classList.contains('controls-open');
    document.body.classList.toggle('controls-open', open);
    ui.toggleControls.setAttribute('aria-expanded', String(open));
    if (open) ui.controls.focus();
  });

  for (const tab of [ui.tabArea, ui.tabGaps]) {
    tab.addEventListener('click', () => setTab(tab === ui.tabGaps ? 'gaps' : 'area', { push: true, focus: false }));
    tab.addEventListener('keydown', (e) => {
      if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) {
        e.preventDefault();
        setTab(app.state.tab === 'area' ? 'gaps' : 'area', { push: true, focus: true });
      }
    });
  }
  setTab(app.state.tab, { push: false, focus: false });

  setupSearch({
    input: $('#search-input'), list: $('#search-results'), box: $('#search-box'), status: $('#search-status'),
    search: (q) => track(api.search(q).then(rankSearchResults)), onPick: (r) => track(pickSearchResult(r)), levelLabel,
  });

  window.addEventListener('popstate', () => track(applyUrlState()));
}

function fillIndicatorSelect() {
  const edition = editionFor(app.state.level);
  const imdOk = !!edition;
  const imdOpts = IMD_CHOICES.map((c) => `<option value="${c.id}"${imdOk ? '' : ' disabled'}>${esc(c.label.replace('IMD', edition ? editionLabel(edition) : 'IMD'))}${imdOk ? '' : ' — not available for these areas'}</option>`).join('');
  const indOpts = app.indicators.map((i) => `<option value="${esc(i.id)}">${esc(i.short_name || i.name)}${i.synthetic ? ' (synthetic demo data)' : ''}</option>`).join('');
  ui.indicator.innerHTML = `<optgroup label="Deprivation">${imdOpts}</optgroup>${indOpts ? `<optgroup label="Children's health indicators">${indOpts}</optgroup>` : ''}`;
  ui.indicator.value = app.state.ind;
}

function fillLocalities() {
  const ids = [...new Set(app.areas.map((a) => a.locality).filter(Boolean))].sort((a, b) => localityLabel(a).localeCompare(localityLabel(b)));
  ui.locality.innerHTML = `<option value="">Whole ${esc(app.meta.name ?? 'area')}</option>${ids.map((id) => `<option value="${esc(id)}">${esc(localityLabel(id))}</option>`).join('')}`;
  ui.locality.disabled = ids.length === 0;
  if (app.state.loc && !ids.includes(app.state.loc)) app.state.loc = '';
  ui.locality.value = app.state.loc;
  const scheme = app.meta.locality_scheme;
  ui.localityNote.textContent = ids.length === 0 ? 'No localities are loaded for these areas.'
    : scheme?.illustrative ? 'Localities are an illustrative grouping.' : '';
  applyLocalityFilter();
}

// ---------------------------------------------------------------------------------------------
// Map

function createMap(meta, level, tilejson) {
  const view = app.state.view;
  const b = meta.bounds;
  const options = {
    container: 'map',
    style: {
      version: 8,
      sources: {
        [AREA_SOURCE]: areaSource(level, tilejson),
        [SITES_SOURCE]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
        [LABEL_SOURCE]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
        ...(meta.basemap_url ? { basemap: { type: 'raster', tiles: [meta.basemap_url], tileSize: 256 } } : {}),
      },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#e9edf1' } },
        ...(meta.basemap_url ? [{ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-saturation': -0.6 } }] : []),
      ],
    },
    attributionControl: { compact: true, customAttribution: attributionText(meta) },
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    maxPitch: 0,
    fadeDuration: 0,
  };
  if (view) Object.assign(options, { center: [view.lon, view.lat], zoom: view.zoom });
  else if (Array.isArray(b) && b.length === 4) Object.assign(options, { bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 16 } });
  map = new maplibregl.Map(options);
  window.__map = map;
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.on('error', (e) => console.error('map error:', e.error?.message ?? e));

  map.on('load', () => {
    for (const [name, img] of Object.entries(drawIcons(2))) map.addImage(name, img.data, { pixelRatio: img.pixelRatio });
    if (levelInfo('la')) {
      map.addSource('la', areaSource('la', null));
      map.addLayer({ id: 'la-outline', type: 'line', source: 'la', 'source-layer': 'la', layout: { 'line-join': 'round' },
        paint: { 'line-color': '#13233a', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1.6, 12, 3] } });
    }
    map.addLayer(sitesLayer());
    collapseAttribution();
    track(renderChoropleth({ first: true }));
  });

  map.on('moveend', () => {
    if (!app.timings.firstChoropleth) return;
    const c = map.getCenter();
    app.state.view = { zoom: map.getZoom(), lat: c.lat, lon: c.lng };
    commit(false);
  });

  // Click / tap an area: open its profile. Areas outside the chosen locality are veiled and inert.
  map.on('click', (e) => {
    const f = map.queryRenderedFeatures(e.point, { layers: [LAYER.fill] })[0];
    if (!f) return;
    if (app.state.loc && f.properties.locality !== app.state.loc) { status(`${f.properties.name} is outside ${localityLabel(app.state.loc)}`); return; }
    track(selectArea(f.properties.code, { fly: false, push: true }));
  });

  // Hover: outline and a small tooltip with the value shown (mouse only; keyboard users get the panel).
  const tip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'hover-tip', offset: 12, maxWidth: '260px' });
  let hovered = null;
  map.on('mousemove', LAYER.fill, (e) => {
    const f = e.features?.[0];
    if (!f) return;
    map.getCanvas().style.cursor = 'pointer';
    if (hovered !== f.id) {
      if (hovered !== null) map.setFeatureState({ source: AREA_SOURCE, sourceLayer: app.state.level, id: hovered }, { hover: false });
      hovered = f.id;
      map.setFeatureState({ source: AREA_SOURCE, sourceLayer: app.state.level, id: hovered }, { hover: true });
    }
    tip.setLngLat(e.lngLat).setHTML(`<strong>${esc(f.properties.name)}</strong><span class="v">${esc(hoverValue(f))}</span>`).addTo(map);
  });
  map.on('mouseleave', LAYER.fill, () => {
    map.getCanvas().style.cursor = '';
    if (hovered !== null) map.setFeatureState({ source: AREA_SOURCE, sourceLayer: app.state.level, id: hovered }, { hover: false });
    hovered = null;
    tip.remove();
  });
  map.on('mouseenter', LAYER.sites, () => { map.getCanvas().style.cursor = 'pointer'; });

  // Keyboard: the canvas pans with the arrow keys (MapLibre); Enter opens the area at the centre.
  const canvas = map.getCanvas();
  canvas.setAttribute('aria-label', 'Map. Arrow keys pan, plus and minus zoom, Enter opens the area at the centre.');
  canvas.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const centre = map.project(map.getCenter());
    const f = map.queryRenderedFeatures(centre, { layers: [LAYER.fill] })[0];
    if (f) track(selectArea(f.properties.code, { fly: false, push: true }));
    else status('No area at the centre of the map');
  });
}

/** Short attribution for the map corner; the full statements are in the control panel footer. */
function attributionText(meta) {
  const list = Array.isArray(meta.attribution) ? meta.attribution : meta.attribution ? [meta.attribution] : [];
  return list.map((a) => (typeof a === 'string' ? a : a.attribution ?? a.title ?? '')).filter(Boolean).map(esc).join(' · ') || 'gapmap';
}

/**
 * Add the area layers with their final fill colour, so the tiles are parsed once (changing a
 * data-driven paint property later makes MapLibre re-parse every tile).
 */
function addAreaLayers(level, fill) {
  const before = map.getLayer('la-outline') ? 'la-outline' : map.getLayer(LAYER.sites) ? LAYER.sites : undefined;
  for (const layer of areaLayers(level, fill ?? PLACEHOLDER_FILL, { opacity: app.meta.basemap_url ? 0.78 : 0.94 })) map.addLayer(layer, before);
  map.addLayer(labelLayer(level), map.getLayer(LAYER.sites) ? LAYER.sites : undefined);
  map.getSource(LABEL_SOURCE)?.setData(labelFeatures(app.areas));
  applyOverlays();
  applySelection();
  applyLocalityFilter();
}

/** The compact attribution starts open and covers the scale bar; start it closed (its ⓘ button opens it). */
function collapseAttribution() {
  const attrib = map.getContainer().querySelector('.maplibregl-ctrl-attrib');
  attrib?.classList.remove('maplibregl-compact-show');
  attrib?.removeAttribute('open');
}

function hoverValue(f) {
  const ind = app.state.ind;
  if (ind === 'imd-decile') return Number.isFinite(f.properties.imd_decile) ? `IMD decile ${f.properties.imd_decile}` : 'No IMD';
  if (ind === 'imd-score') return Number.isFinite(f.properties.imd_score) ? `IMD score ${num(f.properties.imd_score)}` : 'No IMD';
  const st = map.getFeatureState({ source: AREA_SOURCE, sourceLayer: app.state.level, id: f.id });
  if (st.suppressed) return 'Suppressed (small numbers)';
  return Number.isFinite(st.value) ? withUnit(st.value, indicatorById(ind)?.unit) : 'No data';
}

/** Colour the areas for the current map choice and redraw the legend. */
async function renderChoropleth({ first = false } = {}) {
  const seq = ++choroplethSeq;
  const { ind, level } = app.state;
  let result;
  let values = [];
  let note = '';
  if (isImdChoice(ind)) {
    const edition = editionFor(level);
    await app.areasReady;
    if (seq !== choroplethSeq) return;
    result = ind === 'imd-decile' ? imdDecileChoropleth(app.areas.length ? app.areas : null, edition) : imdScoreChoropleth(app.areas, edition);
    if (!edition) note = `IMD is not available for ${levelLabel(level)}.`;
  } else {
    const indicator = indicatorById(ind);
    try {
      const answer = await api.values(ind, level);
      values = Array.isArray(answer?.values) ? answer.values : [];
    } catch (e) {
      values = [];
      note = `No values for ${levelLabel(level)}: ${e.message}`;
    }
    if (seq !== choroplethSeq) return;
    if (!values.some((v) => Number.isFinite(v.value) || v.suppressed) && indicator?.level && indicator.level !== level && levelInfo(indicator.level)) {
      status(`${indicator.short_name} is published for ${levelLabel(indicator.level)}: showing those areas`);
      await setLevel(indicator.level, { push: false });
      return;
    }
    result = indicatorChoropleth(indicator ?? { short_name: ind }, values);
    if (indicator?.synthetic) note = 'Synthetic demonstration data — not official statistics.';
  }
  if (seq !== choroplethSeq) return;
  if (map.getLayer(LAYER.fill)) {
    map.removeFeatureState({ source: AREA_SOURCE, sourceLayer: level });
    map.setPaintProperty(LAYER.fill, 'fill-color', result.fill);
  } else {
    addAreaLayers(level, result.fill);
  }
  for (const v of values) {
    if (!v.code) continue;
    map.setFeatureState({ source: AREA_SOURCE, sourceLayer: level, id: v.code }, {
      value: v.suppressed || !Number.isFinite(v.value) ? null : v.value,
      suppressed: !!v.suppressed,
      cls: result.classFor(v),
    });
  }
  app.legend = { ...result.legend, breaks: result.breaks, indicator: ind, level };
  renderLegend(result.legend);
  ui.indicatorNote.textContent = note;
  updateHeader();
  updateBanner();
  if (first) {
    await new Promise((resolve) => { map.once('idle', resolve); map.triggerRepaint(); });
    app.timings.firstChoropleth = Math.round(performance.now());
    resolveFirstIdle(true);
    if (!app.state.view) {
      const c = map.getCenter();
      app.state.view = { zoom: map.getZoom(), lat: c.lat, lon: c.lng };
    }
    commit(false);
    if (app.state.area) track(selectArea(app.state.area, { fly: false, push: false }));
    if (app.state.tab === 'gaps') track(refreshGaps());
  }
}

function renderLegend(legend) {
  ui.legendTitle.textContent = legend.title;
  ui.legendSubtitle.textContent = legend.subtitle;
  const rows = legend.items.slice().reverse().map((it) => `<li data-colour="${it.colour}"><span class="swatch" style="background:${it.colour}" aria-hidden="true"></span>
    <span class="label">${esc(it.label)}</span>${it.count !== null && it.count !== undefined ? `<span class="count">${esc(it.count)} area${it.count === 1 ? '' : 's'}</span>` : ''}</li>`);
  rows.push('<li class="sep" aria-hidden="true"></li>');
  if (legend.suppressed !== null && legend.suppressed !== undefined) {
    rows.push(`<li data-colour="suppressed"><span class="swatch swatch-suppressed" aria-hidden="true"></span><span class="label">Suppressed: small numbers (count 1–${esc(app.meta.suppress_max_count ?? 4)})</span><span class="count">${esc(legend.suppressed)}</span></li>`);
  }
  rows.push(`<li data-colour="nodata"><span class="swatch swatch-nodata" aria-hidden="true"></span><span class="label">No data</span>${legend.noData ? `<span class="count">${esc(legend.noData)}</span>` : ''}</li>`);
  ui.legend.innerHTML = rows.join('');
  $('#map-legend').innerHTML = `<div class="t">${esc(legend.title)}</div><ul>${rows.join('')}</ul>`;
}

function applyOverlays() {
  if (!map?.getLayer(LAYER.fill)) return;
  const vis = (on) => (on ? 'visible' : 'none');
  map.setLayoutProperty(LAYER.imd30, 'visibility', vis(ui.overlay30.checked));
  map.setLayoutProperty(LAYER.imd30Casing, 'visibility', vis(ui.overlay30.checked));
  map.setLayoutProperty(LAYER.sites, 'visibility', vis(ui.overlaySites.checked));
  map.setLayoutProperty(LAYER.label, 'visibility', vis(ui.overlayLabels.checked));
}

function applySelection() {
  if (!map?.getLayer(LAYER.selected)) return;
  const filter = ['==', ['get', 'code'], app.state.area || ''];
  map.setFilter(LAYER.selected, filter);
  map.setFilter(LAYER.selectedCasing, filter);
}

function applyLocalityFilter() {
  if (!map?.getLayer(LAYER.veil)) return;
  const loc = app.state.loc;
  map.setFilter(LAYER.veil, loc ? ['!=', ['get', 'locality'], loc] : ['boolean', false]);
  map.setFilter(LAYER.imd30, loc ? ['all', ['==', ['get', 'locality'], loc], ['==', ['get', 'imd_30pct'], true]] : ['==', ['get', 'imd_30pct'], true]);
  map.setFilter(LAYER.imd30Casing, map.getFilter(LAYER.imd30));
}

async function loadSites() {
  try {
    const fc = await api.sites();
    const features = (fc?.features ?? []).map((f) => {
      const s = siteStyle(f.properties?.kind);
      return { ...f, properties: { ...f.properties, icon: s.icon, order: s.order, kindLabel: s.label } };
    });
    app.sites = features;
    map?.getSource(SITES_SOURCE)?.setData({ type: 'FeatureCollection', features });
    const kinds = new Map();
    for (const f of features) kinds.set(f.properties.icon, { label: f.properties.kindLabel, order: f.properties.order, n: (kinds.get(f.properties.icon)?.n ?? 0) + 1, illustrative: f.properties.illustrative });
    const icons = drawIcons(2);
    ui.siteLegend.innerHTML = [...kinds.entries()].sort((a, b) => a[1].order - b[1].order)
      .map(([icon, k]) => `<li><img src="${icons[icon].canvas.toDataURL()}" alt="" width="18" height="18">${esc(k.label)} (${k.n})</li>`).join('')
      + (features.some((f) => f.properties.illustrative) ? '<li class="hint">Site list is illustrative.</li>' : '');
    if (!features.length) ui.siteLegend.innerHTML = '<li class="hint">No sites loaded.</li>';
  } catch (e) {
    ui.siteLegend.innerHTML = `<li class="hint">Sites unavailable: ${esc(e.message)}</li>`;
  }
}

// ---------------------------------------------------------------------------------------------
// State changes

async function setIndicator(id, { push = true } = {}) {
  app.state.ind = id;
  ui.indicator.value = id;
  if (!isImdChoice(id)) {
    app.state.gind = id;
    ui.gapIndicator.value = id;
  }
  commit(push);
  await track(renderChoropleth());
  if (app.state.tab === 'gaps') await track(refreshGaps());
  if (app.currentArea) markCurrentIndicator();
}

async function setLevel(level, { push = true } = {}) {
  if (!levelInfo(level)) return;
  const levelChanged = level !== app.state.level;
  app.state.level = level;
  ui.level.value = level;
  if (levelChanged) {
    app.state.area = '';
    app.currentArea = null;
    showEmptyArea();
    const tilejson = await api.tilejson(level).catch(() => null);
    for (const id of Object.values(LAYER)) if (id !== LAYER.sites && map.getLayer(id)) map.removeLayer(id);
    map.removeSource(AREA_SOURCE);
    map.addSource(AREA_SOURCE, areaSource(level, tilejson));
    app.areas = [];
    app.areasReady = track(loadAreas(level));
    await app.areasReady;
    fillLocalities();
    fillIndicatorSelect();
    if (isImdChoice(app.state.ind) && !editionFor(level)) status(`IMD is not available for ${levelLabel(level)}`);
  }
  commit(push);
  await track(renderChoropleth());
  if (app.state.tab === 'gaps') await track(refreshGaps());
}

function setLocality(loc, { zoom = true, push = true } = {}) {
  app.state.loc = loc;
  ui.locality.value = loc;
  applyLocalityFilter();
  updateHeader();
  if (zoom) zoomToLocality(loc);
  commit(push);
}

function zoomToLocality(loc) {
  const b = app.meta.bounds;
  if (!loc) {
    if (Array.isArray(b)) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 16, duration: reducedMotion() ? 0 : 600 });
    return;
  }
  const code = app.localityCodes?.get(loc);
  if (code) {
    track(api.area(code).then((area) => {
      if (app.state.loc !== loc || !Array.isArray(area.bbox)) return;
      const [w, s, e, n] = area.bbox;
      map.fitBounds([[w, s], [e, n]], { padding: 24, duration: reducedMotion() ? 0 : 600 });
    }).catch(() => zoomToCentroids(loc)));
    return;
  }
  zoomToCentroids(loc);
}

function zoomToCentroids(loc) {
  const pts = app.areas.filter((a) => a.locality === loc && Array.isArray(a.centroid)).map((a) => a.centroid);
  if (!pts.length) return;
  const lons = pts.map((p) => p[0]), lats = pts.map((p) => p[1]);
  // Centroids sit inside their areas: pad by about half an area's width so edge areas show whole.
  const pad = 0.035;
  map.fitBounds([[Math.min(...lons) - pad, Math.min(...lats) - pad], [Math.max(...lons) + pad, Math.max(...lats) + pad]],
    { padding: 24, duration: reducedMotion() ? 0 : 600 });
}

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

async function selectArea(code, { fly = false, push = true, showTab = push === true } = {}) {
  app.state.area = code;
  applySelection();
  if (showTab) setTab('area', { push: null, focus: false });
  commit(push);
  ui.areaPanel.setAttribute('aria-busy', 'true');
  try {
    const area = await api.area(code);
    if (app.state.area !== code) return;
    app.currentArea = area;
    ui.areaPanel.innerHTML = areaPanelHtml(area, {
      edition: editionFor(app.state.level), levelLabel, localityLabel,
      currentIndicator: app.state.ind, suppressMax: app.meta.suppress_max_count ?? 4,
    });
    if (fly && Array.isArray(area.bbox) && area.bbox.length === 4) {
      const [w, s, e, n] = area.bbox;
      map.fitBounds([[w, s], [e, n]], { padding: 60, maxZoom: 12.5, duration: reducedMotion() ? 0 : 700 });
    }
  } catch (e) {
    ui.areaPanel.innerHTML = `<div class="empty-state"><p>Could not load ${esc(code)}: ${esc(e.message)}</p></div>`;
    app.currentArea = null;
  } finally {
    ui.areaPanel.removeAttribute('aria-busy');
    updateHeader();
    updateBanner();
  }
}

function markCurrentIndicator() {
  for (const li of ui.areaPanel.querySelectorAll('.ind-item')) li.classList.toggle('current', li.dataset.indicator === app.state.ind);
}

function showEmptyArea() {
  ui.areaPanel.innerHTML = '<div class="empty-state"><p><strong>Click an area on the map</strong>, or search for a place, area code or postcode, to see its deprivation and every indicator with its 95% confidence interval.</p></div>';
}

function setTab(tab, { push = true, focus = false } = {}) {
  app.state.tab = tab;
  const gaps = tab === 'gaps';
  ui.tabArea.setAttribute('aria-selected', String(!gaps));
  ui.tabGaps.setAttribute('aria-selected', String(gaps));
  ui.tabArea.tabIndex = gaps ? -1 : 0;
  ui.tabGaps.tabIndex = gaps ? 0 : -1;
  ui.panelArea.hidden = gaps;
  ui.panelGaps.hidden = !gaps;
  if (focus) (gaps ? ui.tabGaps : ui.tabArea).focus();
  if (push !== null) commit(push);
  if (gaps && map && app.timings.firstChoropleth) track(refreshGaps());
  updateBanner();
}

function gapIndicatorId() {
  if (app.state.gind && indicatorById(app.state.gind)) return app.state.gind;
  if (!isImdChoice(app.state.ind) && indicatorById(app.state.ind)) return app.state.ind;
  return app.indicators[0]?.id;
}

let gapSeq = 0;
async function refreshGaps() {
  const seq = ++gapSeq;
  const id = gapIndicatorId();
  const indicator = indicatorById(id);
  if (!indicator) { ui.gapPanel.innerHTML = '<p class="hint">No indicators are loaded.</p>'; return; }
  ui.gapIndicator.value = id;
  ui.gapBy.value = app.state.by;
  let level = app.state.level;
  let note = '';
  let gaps;
  ui.gapPanel.setAttribute('aria-busy', 'true');
  try {
    try {
      gaps = await api.gaps(id, app.state.by, level);
    } catch (e) {
      if (!indicator.level || indicator.level === level) throw e;
      level = indicator.level;
      note = `at ${levelLabel(level)}, the indicator's own level`;
      gaps = await api.gaps(id, app.state.by, level);
    }
    if (seq !== gapSeq) return;
    app.currentGaps = { ...gaps, requestedLevel: level };
    renderGapPanel(ui.gapPanel, gaps, indicator, {
      csv: api.gapsDownload(id, app.state.by, level, 'csv'),
      xlsx: api.gapsDownload(id, app.state.by, level, 'xlsx'),
      geojson: api.geoDownload(id, level),
    }, note);
  } catch (e) {
    if (seq !== gapSeq) return;
    app.currentGaps = null;
    ui.gapPanel.innerHTML = `<div class="empty-state"><p>Could not compute gaps for ${esc(indicator.short_name)} by ${esc(app.state.by)}: ${esc(e.message)}</p></div>`;
  } finally {
    ui.gapPanel.removeAttribute('aria-busy');
    updateBanner();
  }
}

async function pickSearchResult(r) {
  if (r.kind === 'postcode' || !r.code || (r.level && r.level !== app.state.level && !levelInfo(r.level))) {
    if (Number.isFinite(r.lon) && Number.isFinite(r.lat)) {
      setMarker(r);
      map.flyTo({ center: [r.lon, r.lat], zoom: Math.max(map.getZoom(), 12), duration: reducedMotion() ? 0 : 700 });
      await new Promise((resolve) => map.once('idle', resolve));
      const f = map.queryRenderedFeatures(map.project([r.lon, r.lat]), { layers: [LAYER.fill] })[0];
      if (f) await selectArea(f.properties.code, { fly: false, push: true });
    }
    return;
  }
  if (r.level && r.level !== app.state.level && !['la', 'locality'].includes(r.level)) await setLevel(r.level, { push: false });
  if (r.level === 'locality') { setLocality(r.code, { zoom: true }); return; }
  marker?.remove();
  await selectArea(r.code, { fly: true, push: true });
}

/** Postcodes first, then areas at the level on the map, then the rest, each in the server's order. */
function rankSearchResults(results) {
  if (!Array.isArray(results)) return [];
  const rank = (r) => (r.kind === 'postcode' ? 0 : r.level === app.state.level ? 1 : r.level === 'locality' ? 2 : 3);
  return results.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map((x) => x.r);
}

let marker = null;
function setMarker(r) {
  marker?.remove();
  const el = document.createElement('div');
  el.className = 'postcode-marker';
  el.setAttribute('aria-label', `Postcode ${r.name || r.code}`);
  el.innerHTML = '<svg width="26" height="34" viewBox="0 0 26 34" aria-hidden="true"><path d="M13 33S2 19.5 2 12.5a11 11 0 0 1 22 0C24 19.5 13 33 13 33Z" fill="#c51b7d" stroke="#fff" stroke-width="2"/><circle cx="13" cy="12.5" r="4" fill="#fff"/></svg>';
  marker = new maplibregl.Marker({ element: el, anchor: 'bottom' }).setLngLat([r.lon, r.lat]).addTo(map);
}

// ---------------------------------------------------------------------------------------------
// Header, banner, status, URL

function updateHeader() {
  const bits = [];
  const ind = app.state.ind;
  const label = isImdChoice(ind) ? `${editionLabel(editionFor(app.state.level))} ${ind === 'imd-decile' ? 'decile' : 'score'}` : indicatorById(ind)?.short_name ?? ind;
  bits.push(`<span>${esc(label)}</span>`);
  bits.push(`<span>${esc(levelLabel(app.state.level))}</span>`);
  if (app.state.loc) bits.push(`<span>${esc(localityLabel(app.state.loc))}</span>`);
  const area = app.currentArea && app.currentArea.code === app.state.area ? app.currentArea : null;
  ui.currentView.innerHTML = `${bits.join(' · ')}${area ? ` — <strong>${esc(area.name)}</strong> <span class="code">${esc(area.code)}</span>` : ''}`;
}

/** The banner shows whenever synthetic numbers are on screen: map layer, area profile or gap panel. */
function updateBanner() {
  const reasons = [];
  const mapInd = indicatorById(app.state.ind);
  if (mapInd?.synthetic) reasons.push('the map');
  if (app.state.tab === 'area' && app.currentArea?.indicators?.some((i) => i.synthetic)) reasons.push('the area profile');
  if (app.state.tab === 'gaps' && (app.currentGaps?.synthetic || indicatorById(gapIndicatorId())?.synthetic)) reasons.push('the gap chart');
  const show = reasons.length > 0;
  ui.banner.hidden = !show;
  document.body.classList.toggle('has-banner', show);
  if (show) ui.bannerDetail.textContent = `Values in ${reasons.join(' and ')} are modelled from deprivation, not measured.`;
}

let statusTimer = 0;
function status(text, ms = 4000) {
  ui.mapStatus.textContent = text;
  clearTimeout(statusTimer);
  if (ms) statusTimer = setTimeout(() => { ui.mapStatus.textContent = ''; }, ms);
}

let lastUrl = location.pathname + location.search + location.hash;
function commit(push) {
  const url = stateToUrl(app.state, location.pathname, app.defaults);
  if (url === lastUrl) return;
  const prev = parseState(new URL(lastUrl, location.href).search, new URL(lastUrl, location.href).hash, app.defaults);
  if (push && differsBeyondView(prev, app.state)) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  lastUrl = url;
}

/** Back/forward: make the page match the URL without adding history. */
async function applyUrlState() {
  const next = parseState(location.search, location.hash, app.defaults);
  lastUrl = location.pathname + location.search + location.hash;
  const cur = app.state;
  if (next.level !== cur.level && levelInfo(next.level)) await setLevel(next.level, { push: null });
  if (next.ind !== cur.ind) await setIndicator(next.ind, { push: null });
  if (next.gind !== cur.gind) { app.state.gind = next.gind; }
  if (next.by !== cur.by) { app.state.by = next.by; }
  if (next.loc !== cur.loc) setLocality(next.loc, { zoom: false, push: null });
  if (next.area !== cur.area) {
    if (next.area) await selectArea(next.area, { fly: false, push: null });
    else { app.state.area = ''; app.currentArea = null; applySelection(); showEmptyArea(); updateHeader(); }
  }
  setTab(next.tab, { push: null, focus: false });
  if (next.view) {
    map.jumpTo({ center: [next.view.lon, next.view.lat], zoom: next.view.zoom });
    app.state.view = next.view;
  }
  lastUrl = stateToUrl(app.state, location.pathname, app.defaults);
  updateBanner();
}
