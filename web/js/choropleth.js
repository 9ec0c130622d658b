// What the map colours, from the server's legend (/api/legend): the classes, breaks and colours
// are decided once, in Rust (src/public/legend.rs), so the web map, its legend and server-drawn
// maps agree. Here they only become MapLibre expressions and legend rows. Pure functions.

import { stepExpression, classOf } from './scales.js';

/** Map choices that come from the tiles rather than from an indicator. */
export const IMD_CHOICES = [
  { id: 'imd-decile', label: 'IMD decile (national)' },
  { id: 'imd-score', label: 'IMD score' },
];
export const isImdChoice = (id) => IMD_CHOICES.some((c) => c.id === id);

/**
 * The fill-color expression for a legend. IMD layers read the tiles' own properties; an
 * indicator colours by a per-area class index held in feature-state (`cls`: 0…n-1,
 * -1 = suppressed, absent = no data), so switching between indicators with the same number of
 * classes changes feature-state only and MapLibre does not re-parse the tiles.
 */
export function fillFor(legend) {
  const colours = legend.classes.map((c) => c.colour);
  const noData = legend.no_data.colour;
  if (legend.layer === 'imd-decile') {
    const fill = ['match', ['to-number', ['get', 'imd_decile'], 0]];
    colours.forEach((c, i) => fill.push(i + 1, c));
    fill.push(noData);
    return fill;
  }
  if (legend.layer === 'imd-score') {
    const input = ['to-number', ['get', 'imd_score'], -1];
    return ['case', ['>=', input, 0], stepExpression(input, legend.breaks, colours), noData];
  }
  const fill = ['match', ['number', ['feature-state', 'cls'], -2]];
  colours.forEach((c, i) => fill.push(i, c));
  fill.push(-1, legend.suppressed?.colour ?? noData, noData);
  return fill;
}

/** The feature-state class of one /api/values row under an indicator legend. */
export function classFor(legend, v) {
  if (v.suppressed) return -1;
  return Number.isFinite(v.value) ? classOf(v.value, legend.breaks) : null;
}

/** The legend rows the panel and the map corner show. */
export function legendView(legend) {
  return {
    title: legend.title,
    subtitle: legend.subtitle,
    items: legend.classes.map((c) => ({ colour: c.colour, label: c.label, count: c.count, min: c.min, max: c.max })),
    noData: legend.no_data.count,
    suppressed: legend.suppressed ? legend.suppressed.count : null,
  };
}
