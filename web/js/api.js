// Thin client for gapmap's JSON API. Every call goes to the page's own origin: nothing is
// fetched from the internet at runtime.

export class ApiError extends Error {
  constructor(url, status, detail) {
    super(`${url}: ${status}${detail ? ` — ${detail}` : ''}`);
    this.status = status;
  }
}

const cache = new Map();

/** GET a JSON document; identical concurrent or repeated requests share one fetch. */
export function getJson(path, { cached = true } = {}) {
  if (cached && cache.has(path)) return cache.get(path);
  const p = fetch(path, { headers: { accept: 'application/json' } }).then(async (res) => {
    if (!res.ok) {
      let detail = '';
      try { const body = await res.json(); detail = body.detail ?? body.error ?? ''; } catch { /* not JSON */ }
      throw new ApiError(path, res.status, detail);
    }
    return res.json();
  });
  if (cached) {
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return p;
}

const qs = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();

export const api = {
  meta: () => getJson('/api/meta'),
  indicators: () => getJson('/api/indicators'),
  areas: (level) => getJson(`/api/areas?${qs({ level })}`),
  area: (code) => getJson(`/api/areas/${encodeURIComponent(code)}`),
  values: (indicator, level, period) => getJson(`/api/values?${qs({ indicator, level, period })}`),
  gaps: (indicator, by, level, locality, period) => getJson(`/api/gaps?${qs({ indicator, by, level, locality, period, format: 'json' })}`),
  trend: (indicator, by, level, locality) => getJson(`/api/trend?${qs({ indicator, by, level, locality })}`),
  reach: (service, by, locality) => getJson(`/api/reach?${qs({ service, by, locality })}`),
  sites: () => getJson('/api/sites'),
  groupings: () => getJson('/api/groupings'),
  legend: (layer, level, period) => getJson(`/api/legend?${qs({ layer, level, period })}`),
  search: (q) => getJson(`/api/search?${qs({ q })}`, { cached: false }),
  tilejson: (level) => getJson(`/tiles/${encodeURIComponent(level)}.json`),
  gapsDownload: (indicator, by, level, format, locality, period) => `/api/gaps?${qs({ indicator, by, level, locality, period, format })}`,
  trendDownload: (indicator, by, level, format, locality) => `/api/trend?${qs({ indicator, by, level, locality, format })}`,
  reachDownload: (service, by, format, locality) => `/api/reach?${qs({ service, by, locality, format })}`,
  placeUrl: ({ model, k, radius, need, sites }) => `/api/place?${qs({ model, k, radius, need, sites })}`,
  geoDownload: (indicator, level, period) => `/api/geo?${qs({ level, indicator, period, format: 'geojson' })}`,
};
