// URL state: what a shared link must reproduce. Pure functions, no DOM access, so the
// round-trip can be reasoned about (and tested) on its own.
//
// Query string: level, ind (map layer: indicator id, or imd-decile / imd-score), period (the
// indicator's period label; absent = its latest), loc
// (locality), area (selected area code), tab (area | gaps), gind (gap panel indicator),
// by (gap grouping); the placement scenario: pm (model), pr (radius, km), pk (k), pn (need),
// ps (sites: candidate ids or @LON:LAT, comma-separated).
// Hash: #map=zoom/lat/lon, the same form MapLibre's `hash` option uses, so links from other
// MapLibre apps paste in.

/** The query-string keys, in the order they are written. */
export const KEYS = ['level', 'ind', 'period', 'loc', 'area', 'tab', 'gind', 'by', 'pm', 'pr', 'pk', 'pn', 'ps'];

/** The tabs of the details panel. */
export const TABS = ['area', 'gaps', 'place'];
const MODELS = ['mclp', 'p-median', 'equity'];

export const DEFAULTS = Object.freeze({
  level: null, // filled from /api/meta default_level
  ind: 'imd-decile',
  period: '', // '' = the indicator's latest period
  loc: '',
  area: '',
  by: 'imd-quintile',
  tab: 'area',
  gind: '',
  pm: 'mclp',
  pr: '3',
  pk: '3',
  pn: 'imd-score',
  ps: '',
  view: null, // {zoom, lat, lon}; null = fit the area of interest
});

/**
 * Parse `location.search` and `location.hash` into a state object (unknown keys ignored).
 * `groupings` are the gap groupings' ids the server offers (/api/groupings); an unknown `by`
 * falls back to the default. Without them `by` is kept as given (checked once they load).
 */
export function parseState(search, hash, defaults = DEFAULTS, groupings = null) {
  const q = new URLSearchParams(search);
  const state = { ...defaults };
  for (const key of KEYS) {
    const v = q.get(key);
    if (v !== null && v !== '') state[key] = v;
  }
  if (groupings && !groupings.includes(state.by)) state.by = defaults.by;
  if (!TABS.includes(state.tab)) state.tab = defaults.tab;
  if (!MODELS.includes(state.pm)) state.pm = defaults.pm;
  if (!(Number(state.pr) > 0 && Number(state.pr) <= 50)) state.pr = defaults.pr;
  if (!(Number.isInteger(Number(state.pk)) && Number(state.pk) >= 1 && Number(state.pk) <= 20)) state.pk = defaults.pk;
  state.view = parseView(hash) ?? defaults.view;
  return state;
}

/** `#map=9.2/54.68/-1.80` → {zoom, lat, lon}, or null if absent or malformed. */
export function parseView(hash) {
  const m = /(?:^#|&)map=([-\d.]+)\/([-\d.]+)\/([-\d.]+)/.exec(hash ?? '');
  if (!m) return null;
  const [zoom, lat, lon] = m.slice(1).map(Number);
  if (![zoom, lat, lon].every(Number.isFinite)) return null;
  if (zoom < 0 || zoom > 24 || Math.abs(lat) > 85.06 || Math.abs(lon) > 180) return null;
  return { zoom, lat, lon };
}

/** State → `?query#hash`, omitting defaults so links stay short. */
export function stateToUrl(state, pathname = '/', defaults = DEFAULTS) {
  const q = new URLSearchParams();
  for (const key of KEYS) {
    const v = state[key];
    if (v && v !== defaults[key]) q.set(key, v);
  }
  const search = q.toString();
  const hash = state.view ? `#map=${formatView(state.view)}` : '';
  return `${pathname}${search ? `?${search}` : ''}${hash}`;
}

/** Zoom to 2 decimals and coordinates to 5 (about 1 m), as MapLibre's own hash does. */
export function formatView({ zoom, lat, lon }) {
  return `${round(zoom, 2)}/${round(lat, 5)}/${round(lon, 5)}`;
}

const round = (x, dp) => String(Math.round(x * 10 ** dp) / 10 ** dp);

/** True if two states differ in anything except the map view (those changes get history entries). */
export function differsBeyondView(a, b) {
  return KEYS.some((k) => (a[k] || '') !== (b[k] || ''));
}
