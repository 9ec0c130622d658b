// What the map colours and how the legend explains it: one function per kind of layer
// (IMD decile, IMD score, a health indicator). Each returns the MapLibre fill-color
// expression and the legend rows, built from the same breaks and colours so they cannot
// disagree. Pure functions.

import {
  MAGMA_10, MAGMA_5, VIRIDIS_5, NO_DATA, SUPPRESSED,
  quantileBreaks, roundBreaks, decimalsFor, classColours, stepExpression, classOf,
} from './scales.js';
import { num, editionLabel } from './format.js';

/** Map choices that come from the tiles rather than from an indicator. */
export const IMD_CHOICES = [
  { id: 'imd-decile', label: 'IMD decile (national)' },
  { id: 'imd-score', label: 'IMD score' },
];
export const isImdChoice = (id) => IMD_CHOICES.some((c) => c.id === id);

/**
 * IMD national decile: 10 fixed classes, decile 1 (most deprived 10% of England) darkest.
 * `areas` are /api/areas rows, used only to count areas per decile.
 */
export function imdDecileChoropleth(areas, edition) {
  const colours = MAGMA_10.slice().reverse(); // index 0 = decile 1 = darkest
  const fill = ['match', ['to-number', ['get', 'imd_decile'], 0]];
  colours.forEach((c, i) => fill.push(i + 1, c));
  fill.push(NO_DATA);
  const counts = new Array(10).fill(0);
  let missing = 0;
  for (const a of areas ?? []) {
    const d = Number(a.imd?.decile);
    if (d >= 1 && d <= 10) counts[d - 1]++; else missing++;
  }
  const items = colours.map((colour, i) => ({
    colour,
    label: i === 0 ? '1 most deprived' : i === 9 ? '10 least deprived' : String(i + 1),
    count: areas ? counts[i] : null,
    min: i + 1,
    max: i + 1,
  }));
  return {
    fill,
    breaks: [],
    legend: {
      title: `${editionLabel(edition)} decile`,
      subtitle: 'National deciles of the Index of Multiple Deprivation (1 = most deprived 10% of England). Darker = more deprived.',
      items,
      noData: missing > 0 ? missing : 0,
      suppressed: null,
    },
  };
}

/** IMD score: 5 quantile classes of the scores shown, higher score (more deprived) darker. */
export function imdScoreChoropleth(areas, edition) {
  const scores = (areas ?? []).map((a) => Number(a.imd?.score)).filter(Number.isFinite);
  const dp = decimalsFor(scores);
  const breaks = roundBreaks(quantileBreaks(scores, 5), dp);
  const colours = classColours(MAGMA_5, breaks.length + 1, true);
  const input = ['to-number', ['get', 'imd_score'], -1];
  const fill = ['case', ['>=', input, 0], stepExpression(input, breaks, colours), NO_DATA];
  return {
    fill,
    breaks,
    legend: {
      title: `${editionLabel(edition)} score`,
      subtitle: 'Higher score = more deprived; classes hold about equal numbers of areas. Darker = more deprived.',
      items: classItems(scores, breaks, colours, dp, ''),
      noData: (areas ?? []).length - scores.length,
      suppressed: null,
    },
  };
}

/**
 * A health indicator, 5 quantile classes coloured so that darker = worse (by polarity), with
 * no-data and suppressed kept apart. The map colours by a per-area class index held in
 * feature-state (`cls`: 0…n-1, -1 = suppressed, absent = no data), computed here by
 * `classFor`. The paint expression then depends only on the colours, so switching between
 * indicators with the same number of classes changes feature-state only and MapLibre does not
 * re-parse the tiles.
 */
export function indicatorChoropleth(indicator, values) {
  const shown = values.filter((v) => !v.suppressed && Number.isFinite(v.value)).map((v) => v.value);
  const dp = decimalsFor(shown);
  const breaks = roundBreaks(quantileBreaks(shown, 5), dp);
  const darkIsHigh = indicator.polarity !== 'higher_is_better';
  const colours = classColours(VIRIDIS_5, breaks.length + 1, darkIsHigh);
  const fill = ['match', ['number', ['feature-state', 'cls'], -2]];
  colours.forEach((c, i) => fill.push(i, c));
  fill.push(-1, SUPPRESSED, NO_DATA);
  const classFor = (v) => (v.suppressed ? -1 : Number.isFinite(v.value) ? classOf(v.value, breaks) : null);
  const unit = indicator.unit ?? '';
  const polarityText = {
    higher_is_worse: 'Higher is worse: darker = worse.',
    higher_is_better: 'Higher is better: darker = worse (lower).',
  }[indicator.polarity] ?? 'Darker = higher (no better/worse judgement).';
  return {
    fill,
    breaks,
    classFor,
    legend: {
      title: indicator.short_name || indicator.name,
      subtitle: `${indicator.period ? `${indicator.period}. ` : ''}${polarityText} Classes hold about equal numbers of areas.`,
      items: classItems(shown, breaks, colours, dp, unit),
      noData: values.filter((v) => !v.suppressed && !Number.isFinite(v.value)).length,
      suppressed: values.filter((v) => v.suppressed).length,
    },
  };
}

function classItems(xs, breaks, colours, dp, unit) {
  const counts = new Array(colours.length).fill(0);
  for (const x of xs) counts[classOf(x, breaks)]++;
  const lo = xs.length ? Math.min(...xs) : null;
  const hi = xs.length ? Math.max(...xs) : null;
  const u = unit === '%' ? '%' : '';
  return colours.map((colour, i) => {
    const min = i === 0 ? lo : breaks[i - 1];
    const max = i === colours.length - 1 ? hi : breaks[i];
    return { colour, label: `${num(min, dp)}${u} to ${i === colours.length - 1 ? '' : 'under '}${num(max, dp)}${u}`, count: counts[i], min, max };
  });
}
