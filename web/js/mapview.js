// The MapLibre style and layers: area choropleth from gapmap's vector tiles, a hatch for
// suppressed values, the "30% most deprived nationally" outline, the locality veil, the
// selection and hover outlines, area labels and the sites layer. No sprite or glyph server:
// icons are drawn on a canvas here, labels use the fonts installed on the machine.

import { SUPPRESSED } from './scales.js';

export const LAYER = {
  fill: 'area-fill',
  hatch: 'area-hatch',
  veil: 'area-outside',
  imd30Casing: 'imd30-casing',
  imd30: 'imd30-line',
  hover: 'area-hover',
  selectedCasing: 'area-selected-casing',
  selected: 'area-selected',
  label: 'area-label',
  sites: 'sites',
};
export const AREA_SOURCE = 'areas';
/** The hovered area's outline: one feature, so hovering re-draws one line, not every area's. */
export const HOVER_SOURCE = 'area-hover';
export const SITES_SOURCE = 'sites';

/**
 * Absolute URL on this origin (MapLibre's workers do not resolve relative URLs). Plain string
 * joining, not `new URL()`, which would percent-encode the `{z}/{x}/{y}` template braces.
 */
export const abs = (path) => (/^[a-z][a-z0-9+.-]*:/i.test(path) ? path : `${location.origin}${path.startsWith('/') ? '' : '/'}${path}`);

/** Minimum zoom for area name labels, by level: small areas get labels later. */
function labelMinZoom(level) {
  if (/^lsoa/.test(level)) return 11.5;
  if (/^ward/.test(level)) return 9.6;
  return 9.8;
}

/** The area source for one level (its tiles' source-layer is the level id). */
export function areaSource(level, tilejson) {
  return {
    type: 'vector',
    tiles: (tilejson?.tiles?.length ? tilejson.tiles : [`/tiles/${level}/{z}/{x}/{y}.mvt`]).map(abs),
    minzoom: tilejson?.minzoom ?? 0,
    maxzoom: tilejson?.maxzoom ?? 14,
    ...(Array.isArray(tilejson?.bounds) ? { bounds: tilejson.bounds } : {}),
    promoteId: 'code',
  };
}

/**
 * The hatch over suppressed areas (a pattern fill on every area, shown where feature-state
 * `suppressed` is set). Pattern fills cost real time to prepare on software GL, so the layer is
 * added only while the map shows an indicator with suppressed areas.
 */
export function hatchLayer(level) {
  return {
    id: LAYER.hatch, type: 'fill', source: AREA_SOURCE, 'source-layer': level, paint: {
      'fill-pattern': 'hatch',
      'fill-opacity': ['case', ['boolean', ['feature-state', 'suppressed'], false], 1, 0],
    },
  };
}

/**
 * The choropleth itself — the areas' fill with hairline borders (`fill-outline-color`: no
 * second pass over every polygon, as a line layer would need) and the locality veil — in the
 * map's first style, so the first picture costs about what a bare MapLibre page costs (see
 * map.js and the browser test that times both).
 */
export function choroplethLayers(level, fillColor, { opacity = 0.92 } = {}) {
  const src = { source: AREA_SOURCE, 'source-layer': level };
  return [
    { id: LAYER.fill, type: 'fill', ...src, paint: { 'fill-color': fillColor, 'fill-opacity': opacity, 'fill-outline-color': '#ffffff' } },
    { id: LAYER.veil, type: 'fill', ...src, filter: ['boolean', false], paint: { 'fill-color': '#f4f6f8', 'fill-opacity': 0.82 } },
  ];
}

/**
 * What is drawn over the choropleth from the area source, bottom to top: the "30% most deprived"
 * outline, the hovered and the selected area (sites, labels and the county outline come from
 * their own sources). Added once the choropleth has been drawn.
 */
export function overlayLayers(level) {
  const src = { source: AREA_SOURCE, 'source-layer': level };
  return [
    { id: LAYER.imd30Casing, type: 'line', ...src, filter: imd30Filter(), layout: { 'line-join': 'round' }, paint: {
      'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 3, 12, 5],
    } },
    { id: LAYER.imd30, type: 'line', ...src, filter: imd30Filter(), layout: { 'line-join': 'round' }, paint: {
      'line-color': '#000000', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1.4, 12, 2.4],
    } },
    { id: LAYER.hover, type: 'line', source: HOVER_SOURCE, paint: { 'line-color': '#1b1f24', 'line-width': 2.2 } },
    { id: LAYER.selectedCasing, type: 'line', ...src, filter: ['==', ['get', 'code'], ''], layout: { 'line-join': 'round' }, paint: {
      'line-color': '#ffffff', 'line-width': 8,
    } },
    { id: LAYER.selected, type: 'line', ...src, filter: ['==', ['get', 'code'], ''], layout: { 'line-join': 'round' }, paint: {
      'line-color': '#c51b7d', 'line-width': 4,
    } },
  ];
}

export const LABEL_SOURCE = 'area-labels';

/**
 * Area names, one per area at its representative point (from /api/areas). Labelling the tiled
 * polygons instead would repeat a name in every tile an area crosses.
 */
export function labelLayer(level) {
  return {
    id: LAYER.label, type: 'symbol', source: LABEL_SOURCE, minzoom: labelMinZoom(level),
    layout: {
      'text-field': ['get', 'name'],
      'text-size': ['interpolate', ['linear'], ['zoom'], 9, 11, 13, 14],
      'text-max-width': 8,
      'text-padding': 4,
    },
    paint: { 'text-color': '#111418', 'text-halo-color': 'rgba(255,255,255,0.92)', 'text-halo-width': 1.6 },
  };
}

/** GeoJSON points for the label layer. */
export function labelFeatures(areas) {
  return {
    type: 'FeatureCollection',
    features: areas.filter((a) => Array.isArray(a.centroid) && a.name).map((a) => ({
      type: 'Feature', geometry: { type: 'Point', coordinates: a.centroid }, properties: { code: a.code, name: a.name, locality: a.locality ?? '' },
    })),
  };
}

/** Areas flagged as in the 30% most deprived nationally (tile property `imd_30pct`). */
function imd30Filter() {
  return ['any', ['==', ['get', 'imd_30pct'], true], ['==', ['get', 'imd_30pct'], 1], ['==', ['get', 'imd_30pct'], 'true']];
}

/** Site kinds → symbol and label. Matching is by pattern so "one_point_hub" and "family_hub" both read as hubs. */
export function siteStyle(kind) {
  const k = String(kind ?? '').toLowerCase();
  if (/candidate|proposed/.test(k)) return { icon: 'site-candidate', label: 'Candidate site', order: 4 };
  if (/outreach/.test(k)) return { icon: 'site-outreach', label: 'Outreach point', order: 3 };
  if (/hub/.test(k)) return { icon: 'site-hub', label: /one.?point/.test(k) ? 'One Point hub' : 'Family hub', order: 1 };
  if (/centre|center/.test(k)) return { icon: 'site-centre', label: 'Family / One Point centre', order: 2 };
  return { icon: 'site-other', label: k ? k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()) : 'Site', order: 5 };
}

export function sitesLayer() {
  return {
    id: LAYER.sites, type: 'symbol', source: SITES_SOURCE,
    layout: {
      'icon-image': ['get', 'icon'],
      'icon-size': ['interpolate', ['linear'], ['zoom'], 8, 0.8, 12, 1.1],
      'icon-allow-overlap': true,
      'icon-ignore-placement': true,
      'symbol-sort-key': ['get', 'order'],
      'text-field': ['step', ['zoom'], '', 10.5, ['get', 'name']],
      'text-size': 12,
      'text-offset': [0, 1.3],
      'text-anchor': 'top',
      'text-optional': true,
    },
    paint: { 'text-color': '#13233a', 'text-halo-color': '#ffffff', 'text-halo-width': 1.8 },
  };
}

/**
 * Give `map` the canvas-drawn images: the hatch pattern as soon as each style loads, the site
 * symbols when the style asks for them (`styleimagemissing`). The pattern must be there before
 * the hatch layer's tiles are parsed: supplied only on request, the tile whose parse asked
 * first kept an atlas without it, so suppressed areas in that one tile showed the grey fill
 * without the hatch (present mode's tooth-decay slide; the main map zoomed in).
 */
export function supplyImages(map, images) {
  const add = (id) => {
    const img = images[id];
    if (img && !map.hasImage(id)) map.addImage(id, img.data, { pixelRatio: img.pixelRatio });
  };
  map.on('styleimagemissing', (e) => add(e.id));
  map.on('style.load', () => add('hatch'));
}

/** Canvas-drawn images: the suppression hatch and one symbol per site kind. */
export function drawIcons(pixelRatio = 2) {
  const out = {};
  out.hatch = draw(8, 8, pixelRatio, (c) => {
    c.fillStyle = SUPPRESSED; c.fillRect(0, 0, 8, 8);
    c.strokeStyle = '#3d4248'; c.lineWidth = 1.4;
    c.beginPath(); c.moveTo(-2, 10); c.lineTo(10, -2); c.moveTo(-2, 2); c.lineTo(2, -2); c.moveTo(6, 10); c.lineTo(10, 6); c.stroke();
  });
  const S = 22;
  out['site-hub'] = draw(S, S, pixelRatio, (c) => { // a house: hubs are buildings families go to
    c.beginPath(); c.moveTo(11, 2); c.lineTo(20.5, 10); c.lineTo(18, 10); c.lineTo(18, 20); c.lineTo(4, 20); c.lineTo(4, 10); c.lineTo(1.5, 10); c.closePath();
    c.fillStyle = '#13233a'; c.fill(); c.lineWidth = 1.6; c.strokeStyle = '#ffffff'; c.stroke();
    c.fillStyle = '#ffd23f'; c.fillRect(9, 13.5, 4, 6.5);
  });
  out['site-centre'] = draw(S, S, pixelRatio, (c) => {
    c.beginPath(); c.arc(11, 11, 8, 0, Math.PI * 2); c.fillStyle = '#ffffff'; c.fill();
    c.lineWidth = 3; c.strokeStyle = '#13233a'; c.stroke();
    c.beginPath(); c.arc(11, 11, 3.2, 0, Math.PI * 2); c.fillStyle = '#13233a'; c.fill();
  });
  out['site-outreach'] = draw(S, S, pixelRatio, (c) => {
    c.beginPath(); c.moveTo(11, 2.5); c.lineTo(20, 19); c.lineTo(2, 19); c.closePath();
    c.fillStyle = '#d95f02'; c.fill(); c.lineWidth = 1.8; c.strokeStyle = '#ffffff'; c.stroke();
  });
  out['site-candidate'] = draw(S, S, pixelRatio, (c) => {
    c.beginPath(); c.moveTo(11, 2); c.lineTo(20, 11); c.lineTo(11, 20); c.lineTo(2, 11); c.closePath();
    c.fillStyle = '#ffffff'; c.fill(); c.setLineDash([3, 2]); c.lineWidth = 2.4; c.strokeStyle = '#c51b7d'; c.stroke();
  });
  out['site-other'] = draw(S, S, pixelRatio, (c) => {
    c.fillStyle = '#5b636e'; c.fillRect(4, 4, 14, 14); c.lineWidth = 1.6; c.strokeStyle = '#ffffff'; c.strokeRect(4, 4, 14, 14);
  });
  return out;
}

function draw(w, h, pr, paint) {
  const canvas = document.createElement('canvas');
  canvas.width = w * pr; canvas.height = h * pr;
  const c = canvas.getContext('2d');
  c.scale(pr, pr);
  paint(c);
  return { canvas, data: c.getImageData(0, 0, w * pr, h * pr), pixelRatio: pr };
}
