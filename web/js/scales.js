// Colours and drawing helpers. The map's classes and colours are decided by the server
// (/api/legend, src/public/legend.rs); the palettes here colour the gap chart's bars and the
// decile chips to match the map. Pure functions.
//
// Colours: viridis for health indicators and magma for deprivation (Smith & van der Walt 2015,
// matplotlib's perceptually uniform colour maps). Both are readable with the common
// colour-vision deficiencies and in greyscale, and keep enough hue change for 10 classes
// (cividis, the CVD-optimised map of Nuñez et al. 2018, PLOS ONE 13(7), was tried for IMD
// deciles: its middle classes are too alike in grey). Two different maps make it obvious
// whether the map shows deprivation or an indicator. Hex stops were sampled at equal steps
// with d3-scale-chromatic (magma over 0.12–0.98, leaving out its near-black end so the
// black 30% outline stays visible).
//
// One rule across every layer: darker = worse. IMD: darker = more deprived. Indicators whose
// higher values are worse get dark high values; "higher is better" indicators are reversed;
// indicators with no polarity get dark = higher, and the legend says so.

/** magma, light → dark, 10 classes (for IMD deciles: index 0 = decile 10, least deprived). */
export const MAGMA_10 = ['#fcf4b6', '#fec88c', '#fd9a6a', '#f66c5c', '#de4968', '#b73779', '#902a81', '#681c81', '#420f75', '#1a1042'];
/** magma, light → dark, 5 classes. */
export const MAGMA_5 = ['#fcf4b6', '#fc8e64', '#ca3e72', '#721f81', '#1a1042'];

/** Distinct from every palette colour: light grey fill for "no data". */
export const NO_DATA = '#d4d7db';
/** Suppressed areas: mid grey under a dark hatch (the hatch is a separate pattern layer). */
export const SUPPRESSED = '#b9bdc3';

/**
 * A MapLibre `step` expression over `input` with `colours[i]` for values in class i.
 * breaks.length must be colours.length - 1.
 */
export function stepExpression(input, breaks, colours) {
  if (breaks.length === 0) return colours[0];
  const expr = ['step', input, colours[0]];
  breaks.forEach((b, i) => expr.push(b, colours[i + 1]));
  return expr;
}

/** Class index of `value` given ascending `breaks` (same rule as MapLibre's `step`: v ≥ break moves up). */
export function classOf(value, breaks) {
  let i = 0;
  while (i < breaks.length && value >= breaks[i]) i++;
  return i;
}

/** WCAG 2.x relative luminance of a #rrggbb colour. */
export function luminance(hex) {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/** WCAG 2.x contrast ratio between two #rrggbb colours. */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white text, whichever contrasts more with `bg`. */
export function textOn(bg) {
  return contrast(bg, '#000000') >= contrast(bg, '#ffffff') ? '#000000' : '#ffffff';
}
