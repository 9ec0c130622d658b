// The map on screen: creating it with its whole style at once (so the tiles are fetched and
// parsed once, as soon as MapLibre runs), its events (click, hover, keyboard, move), colouring
// the areas from the server's legend, the legend panel, overlays, selection, the locality veil
// and the sites. Layer definitions live in mapview.js; this module wires them to the context.

import {
  LAYER, AREA_SOURCE, SITES_SOURCE, LABEL_SOURCE, HOVER_SOURCE, areaSource, choroplethLayers, overlayLayers, hatchLayer, labelLayer, labelFeatures, supplyImages,
  sitesLayer, siteStyle, drawIcons,
} from './mapview.js';
import { fillFor, classFor, legendView, isImdChoice } from './choropleth.js';
import { api } from './api.js';
import { esc, num, withUnit } from './format.js';

const EMPTY = { type: 'FeatureCollection', features: [] };

/** Background colour under the areas (also /style.json's, so the two maps look alike). */
export const BACKGROUND = '#e9edf1';
/** The local authority outline. */
export const LA_OUTLINE = { 'line-color': '#13233a', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1.6, 12, 3] };

/** Short attribution for the map corner; the full statements are in the control panel footer. */
export function attributionText(meta) {
  const list = Array.isArray(meta.attribution) ? meta.attribution : meta.attribution ? [meta.attribution] : [];
  return list.map((a) => (typeof a === 'string' ? a : a.attribution ?? a.title ?? '')).filter(Boolean).map(esc).join(' · ') || 'gapmap';
}

/**
 * Create the map with the choropleth alone — the areas with their final fill and borders — so
 * tiles are requested as soon as the map exists and the first picture costs what a bare
 * MapLibre page costs. Everything drawn over it follows in `addOverlays` once it is shown.
 * `handlers` are the actions the map's events call.
 */
export function createMap(ctx, { tilejson, legend }, handlers) {
  const { meta, state } = ctx;
  const level = state.level;
  const b = meta.bounds;
  const images = drawIcons(2);
  const options = {
    container: 'map',
    style: {
      version: 8,
      sources: {
        [AREA_SOURCE]: areaSource(level, tilejson),
        ...(meta.basemap_url ? { basemap: { type: 'raster', tiles: [meta.basemap_url], tileSize: 256 } } : {}),
      },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } },
        ...(meta.basemap_url ? [{ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-saturation': -0.6 } }] : []),
        ...choroplethLayers(level, fillFor(legend), { opacity: areaOpacity(ctx) }),
      ],
    },
    attributionControl: { compact: true, customAttribution: attributionText(meta) },
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    maxPitch: 0,
    fadeDuration: 0,
  };
  const view = state.view;
  if (view) Object.assign(options, { center: [view.lon, view.lat], zoom: view.zoom });
  else if (Array.isArray(b) && b.length === 4) Object.assign(options, { bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 16 } });
  const map = new ctx.maplibregl.Map(options);
  ctx.map = map;
  window.__map = map;
  // The hatch and the site symbols are drawn on a canvas (mapview.js).
  supplyImages(map, images);
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new ctx.maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ctx.maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.on('error', (e) => console.error('map error:', e.error?.message ?? e));
  map.on('load', () => {
    collapseAttribution(map);
    applyLocalityFilter(ctx);
  });
  map.on('moveend', () => {
    if (!ctx.timings.firstChoropleth) return;
    const c = map.getCenter();
    ctx.state.view = { zoom: map.getZoom(), lat: c.lat, lon: c.lng };
    handlers.viewChanged();
  });

  // Click / tap an area: open its profile (with the placement panel open: add a site there).
  // Areas outside the chosen locality are veiled and inert.
  map.on('click', (e) => {
    // The placement panel is open: a click places a site (place.js).
    if (ctx.state.tab === 'place' && handlers.placeAt) { handlers.placeAt(e.lngLat); return; }
    const f = map.queryRenderedFeatures(e.point, { layers: [LAYER.fill] })[0];
    if (!f) return;
    if (ctx.state.loc && f.properties.locality !== ctx.state.loc) { ctx.status(`${f.properties.name} is outside ${ctx.localityLabel(ctx.state.loc)}`); return; }
    ctx.track(handlers.selectArea(f.properties.code));
  });

  // Hover: outline and a small tooltip with the value shown (mouse only; keyboard users get the panel).
  const tip = new ctx.maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'hover-tip', offset: 12, maxWidth: '260px' });
  let hovered = null;
  const setHover = (f) => map.getSource(HOVER_SOURCE)?.setData(f ? { type: 'Feature', geometry: f.geometry, properties: {} } : EMPTY);
  map.on('mousemove', LAYER.fill, (e) => {
    const f = e.features?.[0];
    if (!f) return;
    map.getCanvas().style.cursor = 'pointer';
    if (hovered !== f.id) {
      hovered = f.id;
      setHover(f);
    }
    tip.setLngLat(e.lngLat).setHTML(`<strong>${esc(f.properties.name)}</strong><span class="v">${esc(hoverValue(ctx, f))}</span>`).addTo(map);
  });
  map.on('mouseleave', LAYER.fill, () => {
    map.getCanvas().style.cursor = '';
    if (hovered !== null) setHover(null);
    hovered = null;
    tip.remove();
  });
  map.on('mouseenter', LAYER.sites, () => { map.getCanvas().style.cursor = 'pointer'; });

  // Keyboard: the canvas pans with the arrow keys (MapLibre); Enter opens the area at the centre.
  const canvas = map.getCanvas();
  canvas.setAttribute('aria-label', 'Map. Arrow keys pan, plus and minus zoom, Enter opens the area at the centre.');
  canvas.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const f = map.queryRenderedFeatures(map.project(map.getCenter()), { layers: [LAYER.fill] })[0];
    if (f) ctx.track(handlers.selectArea(f.properties.code));
    else ctx.status('No area at the centre of the map');
  });
  return map;
}

/** Fill opacity of the areas: lower over a basemap. */
const areaOpacity = (ctx) => (ctx.meta.basemap_url ? 0.78 : 0.94);

/**
 * Add what is drawn over the choropleth: the 30% outline, hover and selection outlines, the
 * county outline, area labels and sites (their sources too). Called once the choropleth shows.
 */
export function addOverlays(ctx) {
  const { map } = ctx;
  if (!map.getSource(HOVER_SOURCE)) map.addSource(HOVER_SOURCE, { type: 'geojson', data: EMPTY });
  if (!map.getSource(LABEL_SOURCE)) map.addSource(LABEL_SOURCE, { type: 'geojson', data: labelFeatures(ctx.areas) });
  if (!map.getSource(SITES_SOURCE)) map.addSource(SITES_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: ctx.sites ?? [] } });
  for (const layer of overlayLayers(ctx.state.level)) if (!map.getLayer(layer.id)) map.addLayer(layer);
  if (ctx.levelInfo('la') && !map.getLayer('la-outline')) {
    if (!map.getSource('la')) map.addSource('la', areaSource('la', null));
    map.addLayer({ id: 'la-outline', type: 'line', source: 'la', 'source-layer': 'la', layout: { 'line-join': 'round' }, paint: LA_OUTLINE });
  }
  if (!map.getLayer(LAYER.label)) map.addLayer(labelLayer(ctx.state.level));
  if (!map.getLayer(LAYER.sites)) map.addLayer(sitesLayer());
  applyOverlays(ctx);
  applySelection(ctx);
  applyLocalityFilter(ctx);
}

/** The compact attribution starts open and covers the scale bar; start it closed (its ⓘ button opens it). */
function collapseAttribution(map) {
  const attrib = map.getContainer().querySelector('.maplibregl-ctrl-attrib');
  attrib?.classList.remove('maplibregl-compact-show');
  attrib?.removeAttribute('open');
}

function hoverValue(ctx, f) {
  const ind = ctx.state.ind;
  if (ind === 'imd-decile') return Number.isFinite(f.properties.imd_decile) ? `IMD decile ${f.properties.imd_decile}` : 'No IMD';
  if (ind === 'imd-score') return Number.isFinite(f.properties.imd_score) ? `IMD score ${num(f.properties.imd_score)}` : 'No IMD';
  const st = ctx.map.getFeatureState({ source: AREA_SOURCE, sourceLayer: ctx.state.level, id: f.id });
  if (st.suppressed) return 'Suppressed (small numbers)';
  return Number.isFinite(st.value) ? withUnit(st.value, ctx.indicatorById(ind)?.unit) : 'No data';
}

/**
 * What the map shows for layer `ind` at `level` (without a level: the server's default level,
 * or the indicator's own): the server's legend and, for an indicator, its public values in
 * `period` ('' = the latest). Fetched together.
 */
export async function loadChoropleth(ctx, ind, level, period = '') {
  if (isImdChoice(ind)) return { legend: await api.legend(ind, level), values: [] };
  const [legend, answer] = await Promise.all([api.legend(ind, level, period), api.values(ind, level, period)]);
  return { legend, values: Array.isArray(answer?.values) ? answer.values : [], period };
}

/** Colour the areas from a legend and values, and redraw the legend panel. */
export function applyChoropleth(ctx, { legend, values }) {
  const { map, state } = ctx;
  const level = state.level;
  if (map.getLayer(LAYER.fill)) {
    map.removeFeatureState({ source: AREA_SOURCE, sourceLayer: level });
    const fill = fillFor(legend);
    if (JSON.stringify(map.getPaintProperty(LAYER.fill, 'fill-color')) !== JSON.stringify(fill)) map.setPaintProperty(LAYER.fill, 'fill-color', fill);
  }
  for (const v of values) {
    if (!v.code) continue;
    map.setFeatureState({ source: AREA_SOURCE, sourceLayer: level, id: v.code }, {
      value: v.suppressed || !Number.isFinite(v.value) ? null : v.value,
      suppressed: !!v.suppressed,
      cls: classFor(legend, v),
    });
  }
  // The hatch is drawn only while some area is suppressed (see mapview.js).
  const hatch = (legend.suppressed?.count ?? 0) > 0;
  if (hatch && !map.getLayer(LAYER.hatch)) map.addLayer(hatchLayer(level), LAYER.veil);
  if (!hatch && map.getLayer(LAYER.hatch)) map.removeLayer(LAYER.hatch);
  ctx.legend = legend;
  renderLegend(ctx, legendView(legend));
}

function renderLegend(ctx, legend) {
  const { ui } = ctx;
  ui.legendTitle.textContent = legend.title;
  ui.legendSubtitle.textContent = legend.subtitle;
  const rows = legend.items.slice().reverse().map((it) => `<li data-colour="${it.colour}"><span class="swatch" style="background:${it.colour}" aria-hidden="true"></span>
    <span class="label">${esc(it.label)}</span>${it.count !== null && it.count !== undefined ? `<span class="count">${esc(it.count)} area${it.count === 1 ? '' : 's'}</span>` : ''}</li>`);
  rows.push('<li class="sep" aria-hidden="true"></li>');
  if (legend.suppressed !== null && legend.suppressed !== undefined) {
    rows.push(`<li data-colour="suppressed"><span class="swatch swatch-suppressed" aria-hidden="true"></span><span class="label">Suppressed: small numbers (count 1–${esc(ctx.meta.suppress_max_count ?? 4)})</span><span class="count">${esc(legend.suppressed)}</span></li>`);
  }
  rows.push(`<li data-colour="nodata"><span class="swatch swatch-nodata" aria-hidden="true"></span><span class="label">No data</span>${legend.noData ? `<span class="count">${esc(legend.noData)}</span>` : ''}</li>`);
  ui.legend.innerHTML = rows.join('');
  ui.mapLegend.innerHTML = `<div class="t">${esc(legend.title)}</div><ul>${rows.join('')}</ul>`;
}

/** Replace the area layers for another level (new source, new layers with the given legend). */
export function replaceAreaLayers(ctx, tilejson, legend) {
  const { map } = ctx;
  for (const id of Object.values(LAYER)) if (id !== LAYER.sites && id !== LAYER.label && map.getLayer(id)) map.removeLayer(id);
  map.removeSource(AREA_SOURCE);
  map.addSource(AREA_SOURCE, areaSource(ctx.state.level, tilejson));
  const before = map.getLayer('la-outline') ? 'la-outline' : map.getLayer(LAYER.label) ? LAYER.label : undefined;
  for (const layer of [...choroplethLayers(ctx.state.level, fillFor(legend), { opacity: areaOpacity(ctx) }), ...overlayLayers(ctx.state.level)]) {
    map.addLayer(layer, before);
  }
  if (map.getLayer(LAYER.label)) {
    map.removeLayer(LAYER.label);
    map.addLayer(labelLayer(ctx.state.level), map.getLayer(LAYER.sites) ? LAYER.sites : undefined);
  }
  updateLabels(ctx);
  applyOverlays(ctx);
  applySelection(ctx);
  applyLocalityFilter(ctx);
}

/** Area names at their representative points. */
export function updateLabels(ctx) {
  ctx.map?.getSource(LABEL_SOURCE)?.setData(labelFeatures(ctx.areas));
}

export function applyOverlays(ctx) {
  const { map, ui } = ctx;
  const vis = (on) => (on ? 'visible' : 'none');
  for (const [id, on] of [[LAYER.imd30, ui.overlay30.checked], [LAYER.imd30Casing, ui.overlay30.checked],
    [LAYER.sites, ui.overlaySites.checked], [LAYER.label, ui.overlayLabels.checked]]) {
    if (map?.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== vis(on)) map.setLayoutProperty(id, 'visibility', vis(on));
  }
}

export function applySelection(ctx) {
  const { map } = ctx;
  if (!map?.getLayer(LAYER.selected)) return;
  const filter = ['==', ['get', 'code'], ctx.state.area || ''];
  map.setFilter(LAYER.selected, filter);
  map.setFilter(LAYER.selectedCasing, filter);
}

export function applyLocalityFilter(ctx) {
  const { map } = ctx;
  if (!map?.getLayer(LAYER.veil)) return;
  const loc = ctx.state.loc;
  map.setFilter(LAYER.veil, loc ? ['!=', ['get', 'locality'], loc] : ['boolean', false]);
  if (!map.getLayer(LAYER.imd30)) return;
  map.setFilter(LAYER.imd30, loc ? ['all', ['==', ['get', 'locality'], loc], ['==', ['get', 'imd_30pct'], true]] : ['==', ['get', 'imd_30pct'], true]);
  map.setFilter(LAYER.imd30Casing, map.getFilter(LAYER.imd30));
}

/** The sites layer and its legend. */
export async function loadSites(ctx) {
  const { ui } = ctx;
  try {
    const fc = await api.sites();
    const features = (fc?.features ?? []).map((f) => {
      const s = siteStyle(f.properties?.kind);
      return { ...f, properties: { ...f.properties, icon: s.icon, order: s.order, kindLabel: s.label } };
    });
    ctx.sites = features;
    ctx.map?.getSource(SITES_SOURCE)?.setData({ type: 'FeatureCollection', features });
    const kinds = new Map();
    for (const f of features) kinds.set(f.properties.icon, { label: f.properties.kindLabel, order: f.properties.order, n: (kinds.get(f.properties.icon)?.n ?? 0) + 1 });
    const icons = drawIcons(2);
    ui.siteLegend.innerHTML = [...kinds.entries()].sort((a, b) => a[1].order - b[1].order)
      .map(([icon, k]) => `<li><img src="${icons[icon].canvas.toDataURL()}" alt="" width="18" height="18">${esc(k.label)} (${k.n})</li>`).join('')
      + (features.some((f) => f.properties.illustrative) ? '<li class="hint">Site list is illustrative.</li>' : '');
    if (!features.length) ui.siteLegend.innerHTML = '<li class="hint">No sites loaded.</li>';
  } catch (e) {
    ui.siteLegend.innerHTML = `<li class="hint">Sites unavailable: ${esc(e.message)}</li>`;
  }
}

/** Fit the map to a locality (its bbox from /api/areas/{code}, else its areas' centroids), or the whole area. */
export function zoomToLocality(ctx, loc) {
  const { map } = ctx;
  const duration = ctx.reducedMotion() ? 0 : 600;
  const b = ctx.meta.bounds;
  if (!loc) {
    if (Array.isArray(b)) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 16, duration });
    return;
  }
  const byCentroids = () => {
    const pts = ctx.areas.filter((a) => a.locality === loc && Array.isArray(a.centroid)).map((a) => a.centroid);
    if (!pts.length) return;
    const lons = pts.map((p) => p[0]), lats = pts.map((p) => p[1]);
    // Centroids sit inside their areas: pad by about half an area's width so edge areas show whole.
    const pad = 0.035;
    map.fitBounds([[Math.min(...lons) - pad, Math.min(...lats) - pad], [Math.max(...lons) + pad, Math.max(...lats) + pad]], { padding: 24, duration });
  };
  const code = ctx.localityCodes.get(loc);
  if (!code) { byCentroids(); return; }
  ctx.track(api.area(code).then((area) => {
    if (ctx.state.loc !== loc || !Array.isArray(area.bbox)) return;
    const [w, s, e, n] = area.bbox;
    map.fitBounds([[w, s], [e, n]], { padding: 24, duration });
  }).catch(byCentroids));
}

/** A pin at a searched postcode. */
export function setMarker(ctx, r) {
  ctx.marker?.remove();
  const el = document.createElement('div');
  el.className = 'postcode-marker';
  el.setAttribute('aria-label', `Postcode ${r.name || r.code}`);
  el.innerHTML = '<svg width="26" height="34" viewBox="0 0 26 34" aria-hidden="true"><path d="M13 33S2 19.5 2 12.5a11 11 0 0 1 22 0C24 19.5 13 33 13 33Z" fill="#c51b7d" stroke="#fff" stroke-width="2"/><circle cx="13" cy="12.5" r="4" fill="#fff"/></svg>';
  ctx.marker = new ctx.maplibregl.Marker({ element: el, anchor: 'bottom' }).setLngLat([r.lon, r.lat]).addTo(ctx.map);
}

export function clearMarker(ctx) {
  ctx.marker?.remove();
  ctx.marker = null;
}
