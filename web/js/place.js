// The what-if placement panel: choose a model, radius, k and need; "Propose" asks /api/place
// for the best k new sites (a spinner with the elapsed time; a new request replaces a running
// one); the proposed sites are draggable markers over the choropleth with their reach and the
// LSOAs they newly cover; a click on the map adds a site, a click on a marker removes it, and a
// drag moves it. After every change the site list is evaluated by /api/place?sites=… (no
// solve) and the coverage by IMD quintile, before → after, is redrawn from the server's
// numbers: the page computes no statistic. The scenario (model, radius, k, need, sites) is in
// the URL (state.js: pm, pr, pk, pn, ps).

import { api, ApiError } from './api.js';
import { esc, num } from './format.js';

export const PLACE_SOURCE = 'place';
const LAYERS = { reach: 'place-reach', reachLine: 'place-reach-line', areas: 'place-areas' };
const EMPTY = { type: 'FeatureCollection', features: [] };

const MODELS = [
  ['mclp', 'Maximal coverage (MCLP)'],
  ['p-median', 'Shortest distance (p-median)'],
  ['equity', 'Equity: most deprived first'],
];

/** The scenario's site list, from the URL's comma-separated `ps`. */
export const siteList = (ctx) => (ctx.state.ps ? ctx.state.ps.split(',').filter(Boolean) : []);

/** A new place on the map, as the API's site syntax (5 decimals: about 1 m). */
const placeId = ({ lng, lat }) => `@${lng.toFixed(5)}:${lat.toFixed(5)}`;

/** The panel's options, in the URL's and the API's units. */
function options(ctx) {
  const { state } = ctx;
  return { model: state.pm, radius: Math.round(Number(state.pr) * 1000), need: state.pn };
}

/** Fill the panel's controls from the state, and wire them. `actions.commit(push)` writes the URL. */
export function setupPlacePanel(ctx, actions) {
  const { ui } = ctx;
  ui.placeModel.innerHTML = MODELS.map(([v, l]) => `<option value="${v}">${esc(l)}</option>`).join('');
  fillNeed(ctx);
  showControls(ctx);
  const changed = (key, value) => {
    ctx.state[key] = value;
    actions.commit(true);
    if (siteList(ctx).length) ctx.track(evaluateSites(ctx));
  };
  ui.placeModel.addEventListener('change', () => changed('pm', ui.placeModel.value));
  ui.placeNeed.addEventListener('change', () => changed('pn', ui.placeNeed.value));
  ui.placeRadius.addEventListener('change', () => {
    const km = Number(ui.placeRadius.value);
    if (!(km > 0 && km <= 50)) { ui.placeRadius.value = ctx.state.pr; return; }
    changed('pr', String(km));
  });
  ui.placeK.addEventListener('change', () => {
    const k = Math.round(Number(ui.placeK.value));
    if (!(k >= 1 && k <= 20)) { ui.placeK.value = ctx.state.pk; return; }
    ctx.state.pk = String(k);
    actions.commit(true);
  });
  ui.placePropose.addEventListener('click', () => ctx.track(propose(ctx, actions)));
  ui.placeCancel.addEventListener('click', () => ctx.place.running?.abort());
  ui.placeClear.addEventListener('click', () => {
    ctx.state.ps = '';
    actions.commit(true);
    ctx.track(evaluateSites(ctx));
  });
}

/**
 * Need: children, IMD, an indicator's excess over England, or unmet need — children (or
 * children × IMD score) not reached by a service whose contacts are loaded (synthetic ones say so).
 */
export function fillNeed(ctx) {
  const { ui } = ctx;
  const base = [['imd-score', 'Children × IMD score'], ['imd-decile', 'Children × IMD decile weight'], ['children', 'Children only']];
  const inds = ctx.indicators.filter((i) => !i.service && (i.polarity === 'higher_is_worse' || i.polarity === 'higher_is_better'))
    .map((i) => [`indicator:${i.id}`, `Children × excess of ${i.short_name ?? i.name}${i.synthetic ? ' (synthetic)' : ''}`]);
  const unmet = ctx.indicators.filter((i) => i.service).flatMap((i) => [
    [`unmet:${i.id}`, `Unmet need: children not reached by ${i.service}${i.synthetic ? ' (synthetic)' : ''}`],
    [`unmet:${i.id}:imd-score`, `Unmet need: children × IMD score not reached by ${i.service}${i.synthetic ? ' (synthetic)' : ''}`],
  ]);
  const all = [...base, ...inds, ...unmet];
  ui.placeNeed.innerHTML = all.map(([v, l]) => `<option value="${esc(v)}">${esc(l)}</option>`).join('');
  if (!all.some(([v]) => v === ctx.state.pn)) ctx.state.pn = ctx.defaults.pn;
}

/** Put the state's scenario into the controls. */
export function showControls(ctx) {
  const { ui, state } = ctx;
  ui.placeModel.value = state.pm;
  ui.placeRadius.value = state.pr;
  ui.placeK.value = state.pk;
  ui.placeNeed.value = state.pn;
}

/** Layers for the reach circles and the LSOAs a scenario covers, under the site symbols. */
function ensureLayers(ctx) {
  const { map } = ctx;
  if (!map || map.getSource(PLACE_SOURCE)) return;
  map.addSource(PLACE_SOURCE, { type: 'geojson', data: EMPTY });
  const before = map.getLayer('sites') ? 'sites' : undefined;
  map.addLayer({ id: LAYERS.reach, type: 'fill', source: PLACE_SOURCE, filter: ['==', ['get', 'kind'], 'reach'],
    paint: { 'fill-color': '#ffb000', 'fill-opacity': 0.16 } }, before);
  map.addLayer({ id: LAYERS.reachLine, type: 'line', source: PLACE_SOURCE, filter: ['==', ['get', 'kind'], 'reach'],
    paint: { 'line-color': '#ffb000', 'line-width': 2.5, 'line-dasharray': [2, 1.5] } }, before);
  // LSOAs newly covered: amber dots; already covered by existing sites: small white dots.
  map.addLayer({ id: LAYERS.areas, type: 'circle', source: PLACE_SOURCE, filter: ['all', ['==', ['get', 'kind'], 'area'], ['!=', ['get', 'cover'], 'none']],
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, ['match', ['get', 'cover'], 'new', 4, 1.8], 12, ['match', ['get', 'cover'], 'new', 7, 3.5]],
      'circle-color': ['match', ['get', 'cover'], 'new', '#ffb000', '#ffffff'],
      'circle-stroke-color': '#1b1f24',
      'circle-stroke-width': ['match', ['get', 'cover'], 'new', 1.2, 0.6],
      'circle-opacity': ['match', ['get', 'cover'], 'new', 1, 0.75],
    } }, before);
}

/** A circle of `metres` around (lon, lat), as a polygon (the radius is straight-line on the BNG). */
function circle(lon, lat, metres, steps = 64) {
  const dLat = metres / 111320;
  const dLon = metres / (111320 * Math.cos((lat * Math.PI) / 180));
  const ring = [];
  for (let i = 0; i <= steps; i += 1) {
    const a = (i / steps) * 2 * Math.PI;
    ring.push([lon + dLon * Math.cos(a), lat + dLat * Math.sin(a)]);
  }
  return { type: 'Polygon', coordinates: [ring] };
}

/** Draw a report: markers for the new sites, their reach, and the LSOAs by coverage. */
function drawReport(ctx, report, actions) {
  ensureLayers(ctx);
  for (const m of ctx.place.markers) m.remove();
  ctx.place.markers = [];
  const features = [];
  const newSites = (report?.sites ?? []).filter((s) => !s.existing && Number.isFinite(s.lon));
  const radius = report?.access?.radius ?? 0;
  for (const s of newSites) {
    if (report.access?.unit === 'm') features.push({ type: 'Feature', geometry: circle(s.lon, s.lat, radius), properties: { kind: 'reach', id: s.id } });
    ctx.place.markers.push(siteMarker(ctx, s, actions));
  }
  for (const a of report?.areas ?? []) {
    if (!Number.isFinite(a.lon)) continue;
    const cover = a.covered_after && !a.covered_before ? 'new' : a.covered_before ? 'before' : 'none';
    features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [a.lon, a.lat] }, properties: { kind: 'area', cover, id: a.id } });
  }
  ctx.map?.getSource(PLACE_SOURCE)?.setData({ type: 'FeatureCollection', features });
}

/** A draggable marker for a proposed site: drag to move it, click to remove it. */
function siteMarker(ctx, site, actions) {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = 'place-marker';
  el.dataset.site = site.id;
  el.title = `${site.name || site.id}: drag to move, click to remove`;
  el.setAttribute('aria-label', `Proposed site ${site.name || site.id}. Click to remove.`);
  el.innerHTML = '<svg width="26" height="26" viewBox="0 0 26 26" aria-hidden="true"><circle cx="13" cy="13" r="10" fill="#d95f02" stroke="#fff" stroke-width="3"/><path d="M13 8v10M8 13h10" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/></svg>';
  const marker = new ctx.maplibregl.Marker({ element: el, draggable: true }).setLngLat([site.lon, site.lat]).addTo(ctx.map);
  let dragged = false;
  marker.on('dragstart', () => { dragged = true; });
  marker.on('dragend', () => {
    replaceSite(ctx, site.id, placeId(marker.getLngLat()), actions);
    setTimeout(() => { dragged = false; }, 0);
  });
  el.addEventListener('click', (e) => {
    e.stopPropagation();
    if (!dragged) replaceSite(ctx, site.id, null, actions);
  });
  return marker;
}

/** Replace (or with `next` null, remove) a site of the scenario, and re-evaluate. */
function replaceSite(ctx, id, next, actions) {
  const sites = siteList(ctx).flatMap((s) => (s === id ? (next ? [next] : []) : [s]));
  ctx.state.ps = sites.join(',');
  actions.commit(true);
  ctx.track(evaluateSites(ctx));
}

/** A click on the map while the panel is open adds a site there. */
export function addSiteAt(ctx, lngLat, actions) {
  const sites = siteList(ctx);
  if (sites.length >= 50) { ctx.status('At most 50 sites in a scenario'); return; }
  sites.push(placeId(lngLat));
  ctx.state.ps = sites.join(',');
  actions.commit(true);
  ctx.track(evaluateSites(ctx));
}

/** Run a request with a spinner and elapsed time; a newer request aborts this one. */
async function request(ctx, url, label) {
  ctx.place.running?.abort();
  const controller = new AbortController();
  ctx.place.running = controller;
  const { ui } = ctx;
  const started = performance.now();
  const tick = () => { ui.placeStatus.innerHTML = `<span class="spinner" aria-hidden="true"></span>${esc(label)} ${num((performance.now() - started) / 1000, 1)} s`; };
  tick();
  const timer = setInterval(tick, 100);
  ui.placeCancel.hidden = false;
  ui.placeResult.setAttribute('aria-busy', 'true');
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: controller.signal });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(url, res.status, body.detail ?? body.error ?? '');
    ui.placeStatus.textContent = `${label.replace(/…$/, '')} done in ${num((performance.now() - started) / 1000, 1)} s`;
    return body;
  } catch (e) {
    if (e.name === 'AbortError') {
      if (ctx.place.running === controller) ui.placeStatus.textContent = 'Cancelled.';
      return null;
    }
    ui.placeStatus.textContent = `Could not compute: ${e.message}`;
    return null;
  } finally {
    clearInterval(timer);
    if (ctx.place.running === controller) {
      ctx.place.running = null;
      ui.placeCancel.hidden = true;
      ui.placeResult.removeAttribute('aria-busy');
    }
  }
}

/** Solve for the best k sites, then show them as the scenario. */
async function propose(ctx, actions) {
  const { model, radius, need } = options(ctx);
  const k = ctx.state.pk;
  const report = await request(ctx, api.placeUrl({ model, k, radius, need }), `Finding the best ${k} site${k === '1' ? '' : 's'}…`);
  if (!report) return;
  ctx.state.ps = report.chosen.join(',');
  actions.commit(true);
  show(ctx, report, actions);
}

/** Evaluate the scenario's sites (nothing solved) and show them. */
export async function evaluateSites(ctx, actions = ctx.place.actions) {
  const sites = siteList(ctx);
  if (!sites.length) {
    const running = ctx.place.running;
    ctx.place.running = null;
    running?.abort();
    ctx.ui.placeCancel.hidden = true;
    ctx.ui.placeResult.removeAttribute('aria-busy');
    ctx.place.report = null;
    drawReport(ctx, null, actions);
    renderResult(ctx, null);
    ctx.ui.placeStatus.textContent = '';
    return;
  }
  const { model, radius, need } = options(ctx);
  const report = await request(ctx, api.placeUrl({ model, radius, need, sites: sites.join(',') }), 'Evaluating…');
  if (report) show(ctx, report, actions);
}

function show(ctx, report, actions) {
  ctx.place.report = report;
  drawReport(ctx, report, actions);
  renderResult(ctx, report);
  actions.updateBanner();
}

const pct = (x) => (Number.isFinite(x) ? `${num(x * 100, 1)}%` : '–');
const pp = (x) => (Number.isFinite(x) ? `${x > 0 ? '+' : ''}${num(x, 1)} pp` : '–');

/** The coverage table, before → after by IMD quintile, and the Q1 − Q5 gap change. */
function renderResult(ctx, report) {
  const { ui } = ctx;
  if (!report) {
    ui.placeResult.innerHTML = '<div class="empty-state"><p><strong>Propose</strong> the best sites for the chosen model, or <strong>click the map</strong> to place a site yourself. Existing hubs stay open.</p></div>';
    return;
  }
  const cell = (row, field) => `<td data-field="${field}" data-value="${esc(row[field] ?? '')}">${pct(row[field])}</td>`;
  const rows = report.by_quintile.map((r) => `<tr data-quintile="${r.quintile ?? 'all'}"${r.quintile === null ? ' class="total"' : ''}>
    <th scope="row">${esc(r.label)}</th>${cell(r, 'share_before')}${cell(r, 'share_after')}
    <td data-field="change">${r.suppressed ? 'withheld' : pp(Number.isFinite(r.share_after) && Number.isFinite(r.share_before) ? (r.share_after - r.share_before) * 100 : NaN)}</td></tr>`).join('');
  const g = report.gap_q1_q5;
  const gap = g ? `<p class="place-gap" data-gap-before="${esc(g.coverage_gap_before)}" data-gap-after="${esc(g.coverage_gap_after)}" data-gap-change="${esc(g.coverage_gap_change)}">
    Quintile 1 − quintile 5 coverage gap: <strong>${pp(g.coverage_gap_before)}</strong> → <strong>${pp(g.coverage_gap_after)}</strong>
    (change ${pp(g.coverage_gap_change)})</p>` : '';
  const sites = report.sites.filter((s) => !s.existing);
  const status = report.stages?.length ? `${esc(report.status_note)}` : 'Evaluation of the sites on the map (nothing optimised).';
  ui.placeResult.innerHTML = `
    ${report.synthetic ? '<p class="place-synthetic" role="note"><strong>Synthetic demonstration data:</strong> the need uses a modelled indicator, not official statistics.</p>' : ''}
    <h3 class="section">Need-weighted coverage by IMD quintile</h3>
    <table class="groups place-table" aria-label="Need-weighted coverage by IMD quintile, before and after">
      <thead><tr><th scope="col">Quintile</th><th scope="col">Before</th><th scope="col">After</th><th scope="col">Change</th></tr></thead>
      <tbody>${rows}</tbody>
    </table>
    ${gap}
    <p class="hint">${esc(sites.length)} new site${sites.length === 1 ? '' : 's'} within ${esc(report.access.label)}; ${status}</p>
    <p class="hint">Weight: ${esc(report.demand.weight_label)}. <span class="key-dot new"></span> LSOA newly covered <span class="key-dot before"></span> covered by existing sites.</p>`;
}

/** The context's share of the placement panel (no state outside the context). */
export function placeState(actions) {
  return { running: null, markers: [], report: null, actions };
}
