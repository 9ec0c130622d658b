// Number and label formatting, and the Fingertips comparison colours. Pure functions.

/**
 * Fingertips benchmarking colours (OHID Fingertips "compared with benchmark" legend):
 * better = green, similar = amber, worse = red; for indicators without a polarity,
 * lower = dark blue, higher = light blue. Text colour chosen for ≥ 4.5:1 contrast, and
 * every badge carries its word, so colour is never the only signal.
 */
export const COMPARISON = {
  better: { label: 'Better', bg: '#92d050', fg: '#000000' },
  similar: { label: 'Similar', bg: '#ffc000', fg: '#000000' },
  worse: { label: 'Worse', bg: '#c00000', fg: '#ffffff' },
  higher: { label: 'Higher', bg: '#bed2ff', fg: '#000000' },
  lower: { label: 'Lower', bg: '#5555e6', fg: '#ffffff' },
  not_compared: { label: 'Not compared', bg: '#ffffff', fg: '#3d4248' },
};

export function comparison(key) {
  return COMPARISON[key] ?? COMPARISON.not_compared;
}

const nf = new Map();
/** Locale-stable number formatting (en-GB) with a fixed number of decimals. */
export function num(x, dp = 1) {
  if (x === null || x === undefined || !Number.isFinite(Number(x))) return '–';
  if (!nf.has(dp)) nf.set(dp, new Intl.NumberFormat('en-GB', { minimumFractionDigits: dp, maximumFractionDigits: dp }));
  return nf.get(dp).format(Number(x));
}

/** "23.4%" for percentages, "23.4 per 1,000" for rates, bare otherwise. */
export function withUnit(x, unit, dp = 1) {
  const s = num(x, dp);
  if (s === '–' || !unit) return s;
  return unit === '%' ? `${s}%` : `${s} ${unit}`;
}

/** "(19.2 to 27.9)" — Fingertips writes intervals with "to", which reads better than a dash next to negative numbers. */
export function ci(lower, upper, dp = 1) {
  if (!Number.isFinite(Number(lower)) || !Number.isFinite(Number(upper))) return '';
  return `${num(lower, dp)} to ${num(upper, dp)}`;
}

export function ordinalDecile(d) {
  return d === 1 ? '1 (most deprived 10%)' : d === 10 ? '10 (least deprived 10%)' : String(d);
}

/** Escape text for innerHTML templates. */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function editionLabel(edition) {
  const m = /^imd(\d{4})$/.exec(edition ?? '');
  return m ? `IMD ${m[1]}` : (edition ?? 'IMD');
}
