// Present mode (/present?locality=…): full-screen slides for a locality forum, driven by the
// keyboard (→ / PageDown / Space next, ← / PageUp previous, Home / End, Escape back to the map).
// The same slides as the deck gapmap writes (`gapmap slides`, /api/slides): a title slide with
// the IMD map, one slide per indicator with the live MapLibre map (classes and colours from
// /api/legend, values from /api/values), the web gap chart and the key figures of
// /api/gaps?indicator=&locality= (national IMD quintiles within the locality) with its one-line
// reading and key-figures rows (the `reading` and `key_figures` members: the deck's own, worded
// on the server), a service-reach slide when services are loaded (/api/reach for the locality:
// its reading, chart and every service's rates by quintile with the SII), and a sources slide.
// Nothing is computed or worded here: every number and the reading are the server's.
//
// One context object, as the map page (js/context.js): the locality, the slides, the current
// index, the map and the tracking of async work (window.__present.settled() for tests).

import { api } from './api.js';
import { fillFor, classFor } from './choropleth.js';
import { renderGapChart } from './chart.js';
import { ci, esc, num } from './format.js';
import { AREA_SOURCE, LAYER, areaSource, choroplethLayers, overlayLayers, hatchLayer, drawIcons, supplyImages } from './mapview.js';
import { BACKGROUND, attributionText } from './map.js';

const $ = (sel) => document.querySelector(sel);

export function createPresentContext(search = location.search) {
  const params = new URLSearchParams(search);
  const pending = new Set();
  const ctx = {
    ui: {
      banner: $('#present-banner'), slide: $('#present-slide'), title: $('#present-title'), reading: $('#present-reading'),
      map: $('#present-map'), side: $('#present-side'), chart: $('#present-chart'), figures: $('#present-figures'), note: $('#present-note'),
      count: $('#present-count'),
    },
    query: params.get('locality') ?? '',
    locality: null,   // {id, name, code, bbox}
    meta: null,
    indicators: [],
    slides: [],
    index: 0,
    map: null,
    maplibregl: null,
    level: null,
    seq: 0,
    track(promise) {
      pending.add(promise);
      promise.finally(() => pending.delete(promise)).catch(() => {});
      return promise;
    },
    async settled() {
      while (pending.size) await Promise.allSettled([...pending]);
      if (!ctx.map) return;
      await new Promise((resolve) => { ctx.map.once('idle', resolve); ctx.map.triggerRepaint(); });
    },
  };
  return ctx;
}

/** Find the asked-for locality (name or code, any case) among the locality areas. */
export async function loadLocality(ctx) {
  const [meta, indicators, localities] = await Promise.all([api.meta(), api.indicators(), api.areas('locality')]);
  ctx.meta = meta;
  ctx.indicators = indicators;
  const q = ctx.query.trim().toLowerCase();
  const found = localities.find((a) => [a.name, a.code, a.locality ?? ''].some((k) => k.toLowerCase() === q)) ?? (q ? null : localities[0]);
  if (!found) throw new Error(`unknown locality "${ctx.query}"; available: ${localities.map((a) => a.name).join(', ')}`);
  const profile = await api.area(found.code);
  ctx.locality = { id: found.locality ?? found.name, name: found.name, code: found.code, bbox: profile.bbox };
  // As the deck: one slide per health indicator, then one "Service reach" slide for every
  // loaded service (a service's reach is not a health gap: its figures are contacts per child).
  const health = indicators.filter((d) => !d.service);
  const services = indicators.filter((d) => d.service);
  ctx.slides = [
    { kind: 'title' },
    ...health.map((ind) => ({ kind: 'indicator', ind })),
    ...(services.length ? [{ kind: 'reach', services }] : []),
    { kind: 'sources' },
  ];
}

/** The map for one level with a legend's colours, the locality highlighted, fitted to it. */
async function showMap(ctx, level, legend, values) {
  const { map, locality } = ctx;
  const veil = ['!=', ['get', 'locality'], locality.id];
  const imd30 = ['all', ['==', ['get', 'locality'], locality.id], ['==', ['get', 'imd_30pct'], true]];
  if (!map || ctx.level !== level) {
    const tilejson = await api.tilejson(level);
    const style = {
      version: 8,
      sources: { [AREA_SOURCE]: areaSource(level, tilejson) },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } },
        ...choroplethLayers(level, fillFor(legend)),
        ...overlayLayers(level).filter((l) => l.id === LAYER.imd30 || l.id === LAYER.imd30Casing),
      ],
    };
    const layer = (id) => style.layers.find((l) => l.id === id);
    layer(LAYER.veil).filter = veil;
    layer(LAYER.imd30).filter = imd30;
    layer(LAYER.imd30Casing).filter = imd30;
    if (!ctx.map) {
      const [w, s, e, n] = locality.bbox;
      const images = drawIcons(2);
      ctx.map = new ctx.maplibregl.Map({
        container: ctx.ui.map, style, bounds: [[w, s], [e, n]], fitBoundsOptions: { padding: 24 },
        attributionControl: { compact: true, customAttribution: attributionText(ctx.meta) },
        interactive: false, fadeDuration: 0,
      });
      supplyImages(ctx.map, images);
      ctx.map.on('error', (ev) => console.error('map error:', ev.error?.message ?? ev));
      // Compact attribution starts open on a wide map: keep it folded (the ⓘ opens it).
      ctx.map.on('load', () => ctx.ui.map.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show'));
      window.__map = ctx.map;
    } else {
      ctx.map.setStyle(style);
    }
    ctx.level = level;
    await new Promise((resolve) => (ctx.map.isStyleLoaded() ? resolve() : ctx.map.once('styledata', resolve)));
  }
  const m = ctx.map;
  m.setPaintProperty(LAYER.fill, 'fill-color', fillFor(legend));
  m.removeFeatureState({ source: AREA_SOURCE, sourceLayer: level });
  for (const v of values) {
    m.setFeatureState({ source: AREA_SOURCE, sourceLayer: level, id: v.code }, { suppressed: !!v.suppressed, cls: classFor(legend, v) });
  }
  const hatch = (legend.suppressed?.count ?? 0) > 0;
  if (hatch && !m.getLayer(LAYER.hatch)) m.addLayer(hatchLayer(level), LAYER.veil);
  if (!hatch && m.getLayer(LAYER.hatch)) m.removeLayer(LAYER.hatch);
}

/** Draw slide `i` (clamped to the deck). */
export async function showSlide(ctx, i) {
  const seq = ++ctx.seq;
  ctx.index = Math.max(0, Math.min(ctx.slides.length - 1, i));
  const slide = ctx.slides[ctx.index];
  const { ui, locality } = ctx;
  ui.count.textContent = `Slide ${ctx.index + 1} of ${ctx.slides.length}`;
  document.body.dataset.slide = String(ctx.index + 1);
  if (slide.kind === 'title') {
    const legend = await api.legend('imd-decile', ctx.meta.default_level);
    if (seq !== ctx.seq) return;
    ui.title.textContent = `${locality.name} locality: children's health gaps`;
    ui.reading.textContent = `${ctx.meta.name} · national IMD deciles (darker = more deprived; black outline = 30% most deprived nationally).`;
    ui.side.hidden = true;
    ui.map.hidden = false;
    ui.banner.hidden = !ctx.indicators.some((d) => d.synthetic);
    await showMap(ctx, ctx.meta.default_level, legend, []);
  } else if (slide.kind === 'indicator') {
    const ind = slide.ind;
    const [legend, values, gaps] = await Promise.all([
      api.legend(ind.id, ind.level), api.values(ind.id, ind.level), api.gaps(ind.id, undefined, ind.level, locality.name),
    ]);
    if (seq !== ctx.seq) return;
    ui.title.textContent = `${ind.short_name}: ${locality.name}`;
    // The slide's own sentence, worded once on the server (slides::reading, /api/gaps `reading`).
    ui.reading.textContent = gaps.reading;
    ui.note.textContent = `${ind.period}. Gap figures: ${locality.name}'s areas by national IMD quintile (1 = most deprived fifth of areas in England).`;
    ui.side.hidden = false;
    ui.map.hidden = false;
    ui.banner.hidden = !(ind.synthetic || gaps.synthetic);
    renderGapChart(ui.chart, gaps, ind, { width: 520, height: 340, byLabel: 'National IMD quintile' });
    ui.figures.innerHTML = `<thead><tr><th>In ${esc(locality.name)}</th><th>Value</th><th>95% CI</th></tr></thead><tbody>${
      gaps.key_figures.map(([m, v, c]) => `<tr><td>${esc(m)}</td><td><strong>${esc(v)}</strong></td><td>${esc(c)}</td></tr>`).join('')}</tbody>`;
    await showMap(ctx, ind.level, legend, values.values ?? []);
  } else if (slide.kind === 'reach') {
    await showReach(ctx, slide.services, seq);
  } else {
    ui.title.textContent = 'Sources, methods and licences';
    ui.reading.innerHTML = `<ul class="present-list">${[
      'Gap figures: each locality\'s areas by national IMD quintile; 95% confidence intervals by the Fingertips methods (Wilson, Byar); SII and RII by the PHE method.',
      ...(ctx.indicators.some((d) => d.service) ? ['Service reach: contacts per 1,000 children of the service\'s age band, from the service\'s records placed by postcode; the SII by the same method.'] : []),
      `Small numbers: counts of 1 to ${esc(ctx.meta.suppress_max_count ?? 4)} are withheld, with anything that would reveal them.`,
      'Boundaries, population and deprivation: ONS and MHCLG, Open Government Licence v3.0. Contains OS data © Crown copyright and database right.',
      ...(ctx.indicators.some((d) => d.synthetic) ? ['The indicator values are synthetic demonstration data, not official statistics.'] : []),
    ].map((t) => `<li>${t}</li>`).join('')}</ul>`;
    ui.side.hidden = true;
    ui.map.hidden = true;
    ui.banner.hidden = !ctx.indicators.some((d) => d.synthetic);
  }
}

/**
 * The locality's service reach, as the deck's reach slide: the headline (first) service's map,
 * chart and reading, and a table of every service's contacts per 1,000 children by national IMD
 * quintile with its SII — all from /api/reach?service=&locality= (withheld cells say so).
 */
async function showReach(ctx, services, seq) {
  const { ui, locality } = ctx;
  const head = services[0];
  const [legend, values, ...reports] = await Promise.all([
    api.legend(head.id, head.level), api.values(head.id, head.level),
    ...services.map((s) => api.reach(s.id, undefined, locality.name)),
  ]);
  if (seq !== ctx.seq) return;
  const synthetic = services.some((s) => s.synthetic) || reports.some((r) => r.summary.synthetic || r.table.synthetic);
  ui.title.textContent = `Service reach: ${locality.name}`;
  ui.reading.textContent = `${head.service}: ${reports[0].reading}`;
  ui.note.textContent = `Contacts per 1,000 children of the service's age band in ${locality.name}, by national IMD quintile; SII > 0: the most deprived are reached more.${synthetic ? ' Synthetic records.' : ''}`;
  ui.side.hidden = false;
  ui.map.hidden = false;
  ui.banner.hidden = !synthetic;
  renderGapChart(ui.chart, reports[0].table, head, { width: 520, height: 340, byLabel: 'National IMD quintile' });
  const cell = (report, key) => {
    const g = report.table.groups.find((x) => x.key === key);
    if (!g) return '–';
    if (g.suppressed) return 'withheld';
    return g.value == null ? 'no data' : num(g.value, 0); // as the deck's cell (slides::reach)
  };
  const sii = (report) => {
    const s = report.table.summary.sii;
    return s ? `${s.value > 0 ? '+' : ''}${num(s.value, 0)} (${ci(s.lower95, s.upper95, 0)})` : 'not available';
  };
  const label = (k) => `Quintile ${k}${k === '1' ? ' (most deprived)' : k === '5' ? ' (least deprived)' : ''}`;
  const rows = ['1', '2', '3', '4', '5'].map((k) => [label(k), ...reports.map((r) => cell(r, k))]);
  rows.push(['SII (95% CI)', ...reports.map(sii)]);
  ui.figures.innerHTML = `<thead><tr><th>Per 1,000 children</th>${services.map((s, i) => `<th>${esc(s.service)} (${esc(reports[i].summary.ages)})</th>`).join('')}</tr></thead><tbody>${
    rows.map(([name, ...cells]) => `<tr><td>${esc(name)}</td>${cells.map((c) => `<td><strong>${esc(c)}</strong></td>`).join('')}</tr>`).join('')}</tbody>`;
  await showMap(ctx, head.level, legend, values.values ?? []);
}

/** Keyboard: next, previous, first, last, leave. */
export function onKey(ctx, e) {
  const go = (i) => { e.preventDefault(); ctx.track(showSlide(ctx, i)); };
  switch (e.key) {
    case 'ArrowRight': case 'PageDown': case ' ': go(ctx.index + 1); break;
    case 'ArrowLeft': case 'PageUp': go(ctx.index - 1); break;
    case 'Home': go(0); break;
    case 'End': go(ctx.slides.length - 1); break;
    case 'Escape':
      e.preventDefault();
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      location.href = `/?loc=${encodeURIComponent(ctx.locality?.id ?? '')}`;
      break;
    default:
  }
}
