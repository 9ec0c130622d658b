// The gap chart: an indicator by deprivation group, with 95% CI whiskers, England and county
// reference lines and the fitted line of the slope index of inequality. Hand-written SVG.
//
// The SII line: the SII is the slope of a population-weighted least-squares line of the group
// values on each group's cumulative population rank midpoint (0 = most deprived end)
// (OHID, "Fingertips technical guidance: slope index of inequality"; Low & Low 2004,
// J Epidemiol Community Health 58:8, "A guide to the slope index of inequality"). The chart
// redraws that fitted line from the groups it shows so the line sits where the bars are; the
// SII value and its CI printed beside the chart are the server's.

import { MAGMA_10, MAGMA_5, textOn } from './scales.js';
import { esc, num } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Weighted least squares of value on cumulative rank midpoint. Returns {intercept, slope}
 * or null when fewer than two groups carry a value and a weight.
 */
export function fitSiiLine(groups) {
  const usable = groups.filter((g) => Number.isFinite(g.value) && weightOf(g) > 0);
  if (usable.length < 2) return null;
  const total = usable.reduce((s, g) => s + weightOf(g), 0);
  let cum = 0;
  const pts = usable.map((g) => {
    const w = weightOf(g);
    const x = (cum + w / 2) / total;
    cum += w;
    return { key: g.key, x, y: g.value, w };
  });
  const sw = pts.reduce((s, p) => s + p.w, 0);
  const mx = pts.reduce((s, p) => s + p.w * p.x, 0) / sw;
  const my = pts.reduce((s, p) => s + p.w * p.y, 0) / sw;
  const sxx = pts.reduce((s, p) => s + p.w * (p.x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const slope = pts.reduce((s, p) => s + p.w * (p.x - mx) * (p.y - my), 0) / sxx;
  return { intercept: my - slope * mx, slope, points: pts };
}

/** Weight of a group: its population, else its denominator. */
function weightOf(g) {
  return Number(g.population) > 0 ? Number(g.population) : Number(g.denominator) > 0 ? Number(g.denominator) : 0;
}

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
 * For deprivation groupings each bar is as wide as its share of the population, so the x axis
 * is the cumulative population rank the SII is defined on and the SII's fitted line is
 * straight; groups without a population fall back to equal widths.
 */
export function renderGapChart(container, gaps, indicator, { width = 340, height = 240 } = {}) {
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

  const ordered = gaps.by !== 'locality' && gaps.by !== 'area';
  const weights = groups.map(weightOf);
  const proportional = ordered && weights.every((wt) => wt > 0);
  const total = proportional ? weights.reduce((a, b) => a + b, 0) : groups.length;
  let cum = 0;
  const spans = groups.map((g, i) => {
    const share = (proportional ? weights[i] : 1) / total;
    const span = { x0: m.left + cum * w, x1: m.left + (cum + share) * w };
    cum += share;
    return span;
  });
  const rx = (t) => m.left + t * w; // cumulative rank (0 = most deprived) → x

  const titleId = `gap-chart-title-${Math.random().toString(36).slice(2, 8)}`;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': titleId, class: 'gap-chart' });
  const byLabel = { 'imd-decile': 'national IMD decile', 'imd-quintile': 'national IMD quintile', 'local-quintile': 'local IMD quintile', locality: 'locality' }[gaps.by] ?? gaps.by;
  svg.append(el('title', { id: titleId }, `${indicator?.short_name ?? gaps.indicator} by ${byLabel}, with 95% confidence intervals`));
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
    const gEl = el('g', { class: 'bar', 'data-key': g.key, 'data-value': g.value ?? '', 'data-lower': g.lower95 ?? '', 'data-upper': g.upper95 ?? '', 'data-suppressed': g.suppressed ? 'true' : 'false' });
    const share = proportional ? ` · ${num((100 * weights[i]) / total, 0)}% of people` : '';
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

  // SII fitted line across the whole population rank, only for deprivation orderings.
  const sii = ordered ? fitSiiLine(groups) : null;
  if (sii) {
    const line = el('g', { class: 'sii-line', 'clip-path': `url(#${clipId})` });
    line.append(el('title', {}, 'Slope index of inequality: fitted line'));
    if (proportional) {
      const yr = (v) => m.top + h - (v / axis.max) * h; // unclamped; the clip path trims it
      line.append(el('line', { x1: rx(0), y1: yr(sii.intercept), x2: rx(1), y2: yr(sii.intercept + sii.slope) }));
    } else {
      line.append(el('polyline', { points: sii.points.map((p) => {
        const i = groups.findIndex((g) => g.key === p.key);
        return `${(spans[i].x0 + spans[i].x1) / 2},${y(sii.intercept + sii.slope * p.x)}`;
      }).join(' ') }));
    }
    svg.append(line);
  }

  // X axis labels.
  if (ordered) {
    svg.append(el('text', { x: m.left, y: height - 24, class: 'axis-title', 'text-anchor': 'start' }, '← more deprived'));
    svg.append(el('text', { x: m.left + w, y: height - 24, class: 'axis-title', 'text-anchor': 'end' }, 'less deprived →'));
    svg.append(el('text', { x: m.left + w / 2, y: height - 6, class: 'axis-title', 'text-anchor': 'middle' },
      proportional ? `${byLabel[0].toUpperCase()}${byLabel.slice(1)}; bar width = share of people` : `${byLabel[0].toUpperCase()}${byLabel.slice(1)}`));
  } else {
    svg.append(el('text', { x: m.left + w / 2, y: height - 6, class: 'axis-title', 'text-anchor': 'middle' }, 'Locality'));
  }
  container.append(svg);
  return svg;
}

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
