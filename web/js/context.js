// The one context object every part of the web map shares: the URL state, what the server
// said (meta, indicators, groupings, areas), what is on screen (legend, area, gap table), the
// map once it exists, the DOM elements, and the tracking of async work (so tests and the status
// line know when the page has settled). No module keeps state of its own.

import { DEFAULTS, parseState } from './state.js';

const $ = (sel) => document.querySelector(sel);

export function createContext() {
  const ui = {
    indicator: $('#indicator-select'), indicatorNote: $('#indicator-note'), period: $('#period-select'), periodBlock: $('#period-block'),
    level: $('#level-select'), locality: $('#locality-select'), localityNote: $('#locality-note'),
    legend: $('#legend'), legendTitle: $('#legend-title'), legendSubtitle: $('#legend-subtitle'), mapLegend: $('#map-legend'),
    overlay30: $('#overlay-30pct'), overlaySites: $('#overlay-sites'), overlayLabels: $('#overlay-labels'),
    siteLegend: $('#site-legend'), sources: $('#sources'),
    banner: $('#synthetic-banner'), bannerDetail: $('#synthetic-detail'),
    placeName: $('#place-name'), currentView: $('#current-view'), mapStatus: $('#map-status'),
    tabArea: $('#tab-area'), tabGaps: $('#tab-gaps'), tabPlace: $('#tab-place'),
    panelArea: $('#tabpanel-area'), panelGaps: $('#tabpanel-gaps'), panelPlace: $('#tabpanel-place'),
    placeModel: $('#place-model'), placeRadius: $('#place-radius'), placeK: $('#place-k'), placeNeed: $('#place-need'),
    placePropose: $('#place-propose'), placeCancel: $('#place-cancel'), placeClear: $('#place-clear'),
    placeStatus: $('#place-status'), placeResult: $('#place-result'),
    areaPanel: $('#area-panel'), gapPanel: $('#gap-panel'), trendPanel: $('#trend-panel'), gapIndicator: $('#gap-indicator-select'), gapBy: $('#gap-by-select'),
    toggleControls: $('#toggle-controls'), controls: $('#controls'),
    searchInput: $('#search-input'), searchResults: $('#search-results'), searchBox: $('#search-box'), searchStatus: $('#search-status'),
  };
  const pending = new Set();
  let statusTimer = 0;
  const ctx = {
    ui,
    state: parseState(location.search, location.hash),
    defaults: { ...DEFAULTS },
    meta: null,
    indicators: [],
    groupings: [],        // /api/groupings
    areas: [],            // /api/areas for the current level
    localities: new Map(), // locality id → label
    localityCodes: new Map(), // locality id, name or code → its area code (for its bbox)
    legend: null,
    currentArea: null,
    currentGaps: null,
    currentTrend: null,   // /api/trend for the gap panel's sparkline
    place: null,          // the placement panel's requests, markers and last report (place.js)
    sites: null,
    timings: {},
    map: null,
    maplibregl: null,
    marker: null,      // the searched postcode's pin
    gapSeq: 0,         // the latest gap-panel request (older answers are dropped)
    choroplethSeq: 0,  // the latest map-layer request
    areasReady: Promise.resolve(),
    /** The URL last written, to tell pushes from replacements. */
    lastUrl: location.pathname + location.search + location.hash,

    /** Track async work so tests (and the status line) know when the page has settled. */
    track(promise) {
      pending.add(promise);
      promise.finally(() => pending.delete(promise)).catch(() => {});
      return promise;
    },
    /** Resolves once pending fetches are done and the map has drawn the result. */
    async settled() {
      while (pending.size) await Promise.allSettled([...pending]);
      if (!ctx.map) return;
      await new Promise((resolve) => { ctx.map.once('idle', resolve); ctx.map.triggerRepaint(); });
    },
    status(text, ms = 4000) {
      ui.mapStatus.textContent = text;
      clearTimeout(statusTimer);
      if (ms) statusTimer = setTimeout(() => { ui.mapStatus.textContent = ''; }, ms);
    },

    levelInfo: (id) => ctx.meta?.levels?.find((l) => l.id === id),
    levelLabel: (id) => ctx.levelInfo(id)?.label ?? id ?? '',
    editionFor: (level) => ctx.levelInfo(level)?.imd_editions?.[0] ?? null,
    localityLabel: (id) => ctx.localities.get(id) ?? id,
    indicatorById: (id) => ctx.indicators.find((i) => i.id === id),
    /** The period to show for indicator `id`: the chosen one if it has it, else '' (its latest). */
    periodFor: (id) => {
      const periods = ctx.indicatorById(id)?.periods ?? [];
      const p = ctx.state.period;
      return p && periods.includes(p) && p !== periods[periods.length - 1] ? p : '';
    },
    grouping: (id) => ctx.groupings.find((g) => g.id === id),
    reducedMotion: () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches,
  };
  return ctx;
}
