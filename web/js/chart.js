// The gap chart: an indicator by deprivation group, with 95% CI whiskers, England and county
// reference lines and the fitted line of the slope index of inequality; and the SII trend
// sparkline (SII per period with 95% CIs, from /api/trend). Hand-written SVG.
//
// The chart computes nothing statistical: it draws what /api/gaps returns. Each group's bar is
// `share` wide (its share of the weights the SII is fitted with) and centred on its
// `rank_midpoint` on the cumulative rank (0 = most deprived end), and the SII line runs from
// `summary.sii_line.at_most_deprived` at rank 0 to `at_least_deprived` at rank 1 — the line
// whose drop is the SII printed beside the chart (OHID, "Fingertips technical guidance: slope
// index of inequality"; Low & Low 2004). Groups without shares (no IMD order) get equal widths.

import { MAGMA_10, MAGMA_5, textOn } from './scales.js';
import { esc, num } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** "Nice" axis maximum and tick step for a 0-based axis. */
export function niceAxis(max, ticks = 5) {
  if (!(max > 0)) return { max: 1, step: 0.2 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  return { max: Math.ceil(max / step) * step, step };
}

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Bar colours: the map's IMD palette (dark = most deprived) for deprivation groupings. */
function barColour(by, group, n) {
  if (by === 'locality' || by === 'area') return '#4a6fa5';
  const palette = n > 5 ? MAGMA_10 : MAGMA_5;
  const rank = Number(group.key); // 1 = most deprived
  if (!Number.isInteger(rank) || rank < 1) return '#4a6fa5';
  const idx = palette.length - Math.round(((rank - 1) * (palette.length - 1)) / Math.max(1, n - 1)) - 1;
  return palette[Math.max(0, Math.min(palette.length - 1, idx))];
}

/**
 * Draw the chart into `container` (replacing its content). `gaps` is an /api/gaps JSON
 * answer, `indicator` the /api/indicators entry. Returns the <svg>.
 *
 * Where the server gives shares, each bar is as wide as its share of the SII weights, so the x
 * axis is the cumulative rank the SII is defined on and the fitted line is straight; without
 * shares, bars get equal widths and no line is drawn.
 */
export function renderGapChart(container, gaps, indicator, { width = 340, height = 240, byLabel = gaps.by } = {}) {
  container.replaceChildren();
  const groups = [...gaps.groups].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const unit = indicator?.unit ?? '';
  const pct = unit === '%' ? '%' : '';
  const m = { top: 14, right: 14, bottom: 50, left: 46 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const refs = [gaps.england?.value, gaps.county?.value].filter(Number.isFinite);
  const top = Math.max(...groups.flatMap((g) => [g.upper95, g.value]).filter(Number.isFinite), ...refs, 0);
  const axis = niceAxis(top * 1.05);
  const y = (v) => m.top + h - (Math.max(0, Math.min(axis.max, v)) / axis.max) * h;

  const proportional = groups.length > 0 && groups.every((g) => Number.isFinite(g.share) && Number.isFinite(g.rank_midpoint));
  const ordered = proportional || ['imd-decile', 'imd-quintile', 'local-quintile'].includes(gaps.by);
  const rx = (t) => m.left + t * w; // cumulative rank (0 = most deprived) → x
  const spans = groups.map((g, i) => (proportional
    ? { x0: rx(g.rank_midpoint - g.share / 2), x1: rx(g.rank_midpoint + g.share / 2) }
    : { x0: rx(i / groups.length), x1: rx((i + 1) / groups.length) }));

  const titleId = `gap-chart-title-${Math.random().toString(36).slice(2, 8)}`;
  // The plot box and value axis are recorded on the element so a test can read the drawing back.
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': titleId, class: 'gap-chart',
    'data-plot-left': m.left, 'data-plot-width': w, 'data-plot-top': m.top, 'data-plot-height': h, 'data-axis-max': axis.max,
  });
  svg.append(el('title', { id: titleId }, `${indicator?.short_name ?? gaps.indicator} by ${lowerFirst(byLabel)}, with 95% confidence intervals`));
  const clipId = `${titleId}-clip`;
  const defs = el('defs');
  const clip = el('clipPath', { id: clipId });
  clip.append(el('rect', { x: m.left, y: m.top, width: w, height: h }));
  defs.append(clip);
  svg.append(defs);

  // Grid and y axis.
  const grid = el('g', { class: 'grid', 'aria-hidden': 'true' });
  for (let v = 0; v <= axis.max + axis.step / 2; v += axis.step) {
    grid.append(el('line', { x1: m.left, x2: m.left + w, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'gridline' }));
    grid.append(el('text', { x: m.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, `${num(v, axis.step < 1 ? 1 : 0)}${pct}`));
  }
  svg.append(grid);

  // Bars with CI whiskers.
  const bars = el('g', { class: 'bars' });
  groups.forEach((g, i) => {
    const { x0, x1 } = spans[i];
    const gap = Math.min(3, (x1 - x0) * 0.15);
    const bx = x0 + gap, bw = Math.max(1, x1 - x0 - 2 * gap), cx = (x0 + x1) / 2;
    const gEl = el('g', { class: 'bar', 'data-key': g.key, 'data-value': g.value ?? '', 'data-lower': g.lower95 ?? '', 'data-upper': g.upper95 ?? '', 'data-suppressed': g.suppressed ? 'true' : 'false', 'data-share': g.share ?? '', 'data-x0': x0, 'data-x1': x1 });
    const share = proportional ? ` · ${num(100 * g.share, 0)}% of the denominator` : '';
    const label = g.suppressed || !Number.isFinite(g.value)
      ? `${g.label}: ${g.suppressed ? 'suppressed (small numbers)' : 'no data'}${share}`
      : `${g.label}: ${num(g.value)}${pct} (95% CI ${num(g.lower95)} to ${num(g.upper95)})${share}`;
    gEl.append(el('title', {}, label));
    if (g.suppressed || !Number.isFinite(g.value)) {
      gEl.append(el('rect', { x: bx, y: m.top + h - 18, width: bw, height: 18, class: g.suppressed ? 'bar-suppressed' : 'bar-nodata' }));
    } else {
      const fill = barColour(gaps.by, g, groups.length);
      gEl.append(el('rect', { x: bx, y: y(g.value), width: bw, height: Math.max(0, y(0) - y(g.value)), fill, class: 'bar-fill' }));
      if (Number.isFinite(g.lower95) && Number.isFinite(g.upper95)) {
        const cap = Math.max(2, Math.min(7, bw / 3));
        const d = `M${cx},${y(g.lower95)}V${y(g.upper95)}M${cx - cap},${y(g.lower95)}H${cx + cap}M${cx - cap},${y(g.upper95)}H${cx + cap}`;
        gEl.append(el('path', { class: 'whisker-halo', d }), el('path', { class: 'whisker', d }));
      }
    }
    if (x1 - x0 >= 12) gEl.append(el('text', { x: cx, y: m.top + h + 14, class: 'tick', 'text-anchor': 'middle' }, shortKey(gaps.by, g, x1 - x0)));
    bars.append(gEl);
  });
  svg.append(bars);

  // Reference lines.
  const ref = (v, cls, name) => {
    if (!Number.isFinite(v)) return;
    const gRef = el('g', { class: `ref ${cls}` });
    gRef.append(el('title', {}, `${name}: ${num(v)}${pct}`));
    gRef.append(el('line', { x1: m.left, x2: m.left + w, y1: y(v), y2: y(v) }));
    svg.append(gRef);
  };
  ref(gaps.england?.value, 'ref-england', 'England');
  ref(gaps.county?.value, 'ref-county', 'County');

  // The SII's fitted line, as the server gives it, across the whole rank.
  const line = gaps.summary?.sii_line;
  if (proportional && line && Number.isFinite(line.at_most_deprived) && Number.isFinite(line.at_least_deprived)) {
    const g = el('g', { class: 'sii-line', 'clip-path': `url(#${clipId})` });
    g.append(el('title', {}, 'Slope index of inequality: fitted line'));
    const yr = (v) => m.top + h - (v / axis.max) * h; // unclamped; the clip path trims it
    g.append(el('line', {
      x1: rx(0), y1: yr(line.at_most_deprived), x2: rx(1), y2: yr(line.at_least_deprived),
      'data-at-most-deprived': line.at_most_deprived, 'data-at-least-deprived': line.at_least_deprived,
    }));
    svg.append(g);
  }

  // X axis labels.
  if (ordered) {
    svg.append(el('text', { x: m.left, y: height - 24, class: 'axis-title', 'text-anchor': 'start' }, '← more deprived'));
    svg.append(el('text', { x: m.left + w, y: height - 24, class: 'axis-title', 'text-anchor': 'end' }, 'less deprived →'));
    svg.append(el('text', { x: m.left + w / 2, y: height - 6, class: 'axis-title', 'text-anchor': 'middle' },
      proportional ? `${byLabel[0].toUpperCase()}${byLabel.slice(1)}; bar width = group size` : `${byLabel[0].toUpperCase()}${byLabel.slice(1)}`));
  } else {
    svg.append(el('text', { x: m.left + w / 2, y: height - 6, class: 'axis-title', 'text-anchor': 'middle' }, 'Locality'));
  }
  container.append(svg);
  return svg;
}

/**
 * Draw the SII trend (a sparkline) into `container`: one point per period of /api/trend, oldest
 * left, with its 95% CI as a whisker and a band, the line through the SIIs, a zero line when
 * the range reaches it, and the period `current` filled. Periods whose SII was withheld or not
 * computed leave a gap. Draws the server's numbers only. Returns the <svg>.
 */
export function renderTrendChart(container, trend, indicator, { width = 340, height = 120, current = '' } = {}) {
  container.replaceChildren();
  const periods = trend.periods ?? [];
  const unit = indicator?.unit === '%' ? ' pp' : indicator?.unit ? ` ${indicator.unit}` : '';
  const m = { top: 10, right: 12, bottom: 24, left: 44 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const has = (p) => p.sii && Number.isFinite(p.sii.value);
  const ys = periods.filter(has).flatMap((p) => [p.sii.value, p.sii.lower95, p.sii.upper95]).filter(Number.isFinite);
  let lo = Math.min(...ys), hi = Math.max(...ys);
  if (!ys.length) { lo = 0; hi = 1; }
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  lo -= pad; hi += pad;
  const x = (i) => m.left + (periods.length > 1 ? (i / (periods.length - 1)) * w : w / 2);
  const y = (v) => m.top + h - ((v - lo) / (hi - lo)) * h;
  const titleId = `trend-chart-title-${Math.random().toString(36).slice(2, 8)}`;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': titleId, class: 'trend-chart' });
  svg.append(el('title', { id: titleId }, `Slope index of inequality of ${indicator?.short_name ?? trend.indicator?.id ?? ''} by period, with 95% confidence intervals. ${trend.verdict ?? ''}`));
  const axis = el('g', { class: 'grid', 'aria-hidden': 'true' });
  for (const v of [hi - pad, lo + pad]) {
    axis.append(el('line', { x1: m.left, x2: m.left + w, y1: y(v), y2: y(v), class: 'gridline' }));
    axis.append(el('text', { x: m.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, num(v, Math.abs(hi - lo) < 10 ? 1 : 0)));
  }
  if (lo < 0 && hi > 0) axis.append(el('line', { x1: m.left, x2: m.left + w, y1: y(0), y2: y(0), class: 'axis' }));
  svg.append(axis);
  // The 95% band and the line, broken where a period has no SII.
  const runs = [];
  periods.forEach((p, i) => {
    if (!has(p)) { runs.push([]); return; }
    if (!runs.length) runs.push([]);
    runs[runs.length - 1].push([i, p.sii]);
  });
  for (const run of runs.filter((r) => r.length)) {
    const upper = run.map(([i, s]) => `${x(i)},${y(s.upper95)}`);
    const lower = run.slice().reverse().map(([i, s]) => `${x(i)},${y(s.lower95)}`);
    svg.append(el('polygon', { class: 'trend-band', points: [...upper, ...lower].join(' ') }));
    svg.append(el('polyline', { class: 'trend-line', points: run.map(([i, s]) => `${x(i)},${y(s.value)}`).join(' ') }));
  }
  periods.forEach((p, i) => {
    const g = el('g', { class: `trend-point${p.period === current ? ' current' : ''}`, 'data-period': p.period, 'data-value': has(p) ? p.sii.value : '', 'data-lower': has(p) ? p.sii.lower95 : '', 'data-upper': has(p) ? p.sii.upper95 : '' });
    if (has(p)) {
      g.append(el('title', {}, `${p.period}: SII ${num(p.sii.value)}${unit} (95% CI ${num(p.sii.lower95)} to ${num(p.sii.upper95)})`));
      const cap = 3;
      g.append(el('path', { class: 'whisker', d: `M${x(i)},${y(p.sii.lower95)}V${y(p.sii.upper95)}M${x(i) - cap},${y(p.sii.lower95)}H${x(i) + cap}M${x(i) - cap},${y(p.sii.upper95)}H${x(i) + cap}` }));
      g.append(el('circle', { cx: x(i), cy: y(p.sii.value), r: p.period === current ? 5 : 3.5 }));
    } else {
      g.append(el('title', {}, `${p.period}: SII withheld or not computed`));
      g.append(el('text', { x: x(i), y: m.top + h / 2, class: 'tick', 'text-anchor': 'middle' }, '–'));
    }
    svg.append(g);
  });
  if (periods.length) {
    svg.append(el('text', { x: x(0) - 4, y: height - 6, class: 'tick', 'text-anchor': 'start' }, periods[0].period));
    if (periods.length > 1) svg.append(el('text', { x: x(periods.length - 1) + 4, y: height - 6, class: 'tick', 'text-anchor': 'end' }, periods[periods.length - 1].period));
  }
  container.append(svg);
  return svg;
}

/** "National IMD decile" → "national IMD decile" (keeps acronyms). */
export const lowerFirst = (s) => String(s).charAt(0).toLowerCase() + String(s).slice(1);

function shortKey(by, g, px) {
  if (by === 'locality' || by === 'area') {
    const s = String(g.label ?? g.key);
    const fit = Math.max(3, Math.floor(px / 7));
    return s.length > fit ? `${s.slice(0, fit - 1)}…` : s;
  }
  return String(g.key);
}

/** Legend items for the chart (HTML), matching the SVG's line styles. */
export function chartLegendHtml(gaps, hasSii) {
  const items = [];
  if (Number.isFinite(gaps.england?.value)) items.push('<span class="key key-england" aria-hidden="true"></span>England');
  if (Number.isFinite(gaps.county?.value)) items.push('<span class="key key-county" aria-hidden="true"></span>County');
  if (hasSii) items.push('<span class="key key-sii" aria-hidden="true"></span>SII fitted line');
  items.push('<span class="key key-ci" aria-hidden="true"></span>95% CI');
  return items.map((i) => `<li>${i}</li>`).join('');
}

export { esc };
