// The right-hand panels: an area's profile and the gap analysis. They render from API answers
// (HTML strings with escaped text, plus the hand-written SVG chart); wiring lives in app.js.

import { esc, num, ci, comparison, withUnit, editionLabel } from './format.js';
import { MAGMA_10, textOn } from './scales.js';
import { renderGapChart, renderTrendChart, chartLegendHtml, lowerFirst } from './chart.js';

const SYNTH = '<span class="tag-synthetic" title="Synthetic demonstration data — not official statistics">SYNTHETIC</span>';

/** Colour for an IMD decile chip, matching the map (decile 1 darkest). */
export function decileColour(d) {
  return MAGMA_10[10 - d] ?? '#d4d7db';
}

function badge(kind, against) {
  const c = comparison(kind);
  return `<span class="badge" style="background:${c.bg};color:${c.fg}" data-compare="${esc(kind ?? 'not_compared')}">vs ${esc(against)}: ${esc(c.label)}</span>`;
}

/**
 * A small CI strip: the area's 95% CI as a line with its value as a dot, England as a red tick,
 * the county as a blue dashed tick, on a common scale.
 */
function ciStrip(ind) {
  const xs = [ind.lower95, ind.upper95, ind.value, ind.england_value, ind.county_value].filter(Number.isFinite);
  if (!Number.isFinite(ind.value) || xs.length < 2) return '';
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const pad = (hi - lo) * 0.08 || 1;
  const W = 300, H = 26, l = 6, r = 6;
  const sx = (v) => l + ((v - (lo - pad)) / (hi - lo + 2 * pad)) * (W - l - r);
  const parts = [];
  if (Number.isFinite(ind.lower95) && Number.isFinite(ind.upper95)) parts.push(`<line class="range" x1="${sx(ind.lower95)}" x2="${sx(ind.upper95)}" y1="10" y2="10"/>`);
  if (Number.isFinite(ind.england_value)) parts.push(`<line class="eng" x1="${sx(ind.england_value)}" x2="${sx(ind.england_value)}" y1="2" y2="18"/><text x="${sx(ind.england_value)}" y="26" text-anchor="middle">Eng</text>`);
  if (Number.isFinite(ind.county_value)) parts.push(`<line class="cty" x1="${sx(ind.county_value)}" x2="${sx(ind.county_value)}" y1="2" y2="18"/>`);
  parts.push(`<circle class="dot" cx="${sx(ind.value)}" cy="10" r="4.5"/>`);
  const label = `Area ${num(ind.value)} (95% CI ${ci(ind.lower95, ind.upper95)})${Number.isFinite(ind.england_value) ? `; England ${num(ind.england_value)}` : ''}${Number.isFinite(ind.county_value) ? `; county ${num(ind.county_value)}` : ''}`;
  return `<svg class="ci-strip" viewBox="0 0 ${W} 28" width="100%" height="28" role="img" aria-label="${esc(label)}">${parts.join('')}</svg>`;
}

/** The area profile. `area` is /api/areas/{code}; `ctx` gives level labels, the preferred IMD edition, the current indicator and the suppression threshold. */
export function areaPanelHtml(area, ctx) {
  const imds = Array.isArray(area.imd) ? area.imd : area.imd ? [area.imd] : [];
  const imd = imds.find((i) => i.edition === ctx.edition) ?? imds[0];
  const pop = typeof area.population === 'number' ? area.population : area.population?.total;
  const metaBits = [
    `<span class="code">${esc(area.code)}</span>`,
    esc(ctx.levelLabel(area.level)),
    area.locality ? `Locality: ${esc(ctx.localityLabel(area.locality))}` : '',
    Number.isFinite(pop) ? `Population ${num(pop, 0)}` : '',
  ].filter(Boolean).join(' · ');
  const imdHtml = imd ? `
    <div class="imd-card" data-imd-edition="${esc(imd.edition)}">
      <div class="decile-chip" style="background:${decileColour(imd.decile)};color:${textOn(decileColour(imd.decile))}" aria-hidden="true">${esc(imd.decile)}</div>
      <div class="facts">
        <div><strong>${esc(editionLabel(imd.edition))} decile ${esc(imd.decile)} of 10</strong> (1 = most deprived 10% in England)</div>
        <div>Score ${num(imd.score, 1)}${Number.isFinite(imd.rank) ? ` · rank ${num(imd.rank, 0)}${Number.isFinite(imd.rank_of) ? ` of ${num(imd.rank_of, 0)}` : ''}` : ''}${Number.isFinite(imd.local_quintile) ? ` · local quintile ${esc(imd.local_quintile)} of 5` : ''}</div>
        ${imd.most_deprived_30pct ? '<span class="flag-30">In the 30% most deprived nationally</span>' : ''}
      </div>
    </div>` : '<p class="hint">No IMD for this area at this level.</p>';

  const inds = area.indicators ?? [];
  const list = inds.map((ind) => {
    const unit = ind.unit ?? '';
    const isCurrent = ind.id === ctx.currentIndicator;
    let body;
    if (ind.suppressed) {
      body = `<div class="ind-row"><span class="ind-value">Suppressed</span><span class="ind-ci">small numbers (count 1–${esc(ctx.suppressMax)}) are not published</span></div>`;
    } else if (!Number.isFinite(ind.value)) {
      body = '<div class="ind-row"><span class="ind-value">No data</span></div>';
    } else {
      const counts = Number.isFinite(ind.count) && Number.isFinite(ind.denominator) ? `${num(ind.count, 0)} / ${num(ind.denominator, 0)}` : '';
      body = `<div class="ind-row">
          <span class="ind-value" data-value="${ind.value}">${esc(withUnit(ind.value, unit))}</span>
          <span class="ind-ci" data-lower="${ind.lower95 ?? ''}" data-upper="${ind.upper95 ?? ''}">${Number.isFinite(ind.lower95) ? `95% CI ${esc(ci(ind.lower95, ind.upper95))}` : 'no CI'}</span>
        </div>
        <div class="ind-sub">${counts ? `${counts} · ` : ''}England ${esc(withUnit(ind.england_value, unit))} · County ${esc(withUnit(ind.county_value, unit))}</div>
        ${ciStrip(ind)}`;
    }
    return `<li class="ind-item${isCurrent ? ' current' : ''}" data-indicator="${esc(ind.id)}">
      <div class="ind-name">${esc(ind.short_name || ind.name)} ${ind.synthetic ? SYNTH : ''}</div>
      ${body}
      <div class="badges">${badge(ind.vs_england, 'England')}${badge(ind.vs_county, 'county')}</div>
    </li>`;
  }).join('');

  return `
    <div class="area-head" data-code="${esc(area.code)}">
      <h2 id="area-name">${esc(area.name || area.code)}</h2>
      <p class="meta">${metaBits}</p>
    </div>
    ${imdHtml}
    <h3 class="section">Indicators${inds.some((i) => i.synthetic) ? ` ${SYNTH}` : ''}</h3>
    ${inds.length ? `<ul class="ind-list">${list}</ul>` : '<p class="hint">No indicator values for this area at this level.</p>'}
    <p class="hint" style="margin-top:10px">Significance as Fingertips: compared with England and the county using the 95% confidence interval. The colour is repeated as a word.</p>`;
}

function stat(label, s, fmt, key) {
  if (!s || !Number.isFinite(s.value)) return `<div class="stat" data-stat="${key}"><div class="k">${esc(label)}</div><div class="v">–</div><div class="c">not available</div></div>`;
  return `<div class="stat" data-stat="${key}" data-value="${s.value}" data-lower="${s.lower95 ?? ''}" data-upper="${s.upper95 ?? ''}">
    <div class="k">${esc(label)}</div><div class="v">${esc(fmt(s.value))}</div>
    <div class="c">${Number.isFinite(s.lower95) ? `95% CI ${esc(fmt(s.lower95))} to ${esc(fmt(s.upper95))}` : 'no CI'}</div></div>`;
}

/**
 * Render the gap panel into `root`. `gaps` is /api/gaps JSON (or /api/reach's `table`); `links`
 * the download URLs; `byLabel` the grouping's label from /api/groupings; `reach` (for a service's
 * reach) the server's reading of the SII in words and its notes.
 */
export function renderGapPanel(root, gaps, indicator, links, note, byLabel = gaps.by, reach = null) {
  const unit = indicator?.unit === '%' ? ' pp' : indicator?.unit ? ` ${indicator.unit}` : '';
  const s = gaps.summary ?? {};
  const groups = [...(gaps.groups ?? [])].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const hasSii = !!gaps.summary?.sii_line;
  const ratio = (v) => `${num(v, 2)}×`;
  const diff = (v) => `${num(v, 1)}${unit}`;
  const reliability = [
    typeof s.reliability === 'string' && s.reliability !== 'ok' && s.reliability !== 'reliable' ? s.reliability : s.reliability?.note ?? s.reliability?.message ?? '',
    ...(Array.isArray(s.notes) ? s.notes : []),
  ].filter(Boolean).join(' ');
  root.innerHTML = `
    <p class="gap-title">${esc(indicator?.short_name ?? gaps.indicator)} ${gaps.synthetic || indicator?.synthetic ? SYNTH : ''}</p>
    <p class="hint gap-period" data-period="${esc(gaps.indicator?.period ?? indicator?.period ?? '')}">${esc(gaps.indicator?.period ?? indicator?.period ?? '')}${note ? ` · ${esc(note)}` : ''} · by ${esc(lowerFirst(byLabel))}${gaps.locality ? ` · within ${esc(gaps.locality)}` : ''}</p>
    ${reach ? `<p class="reach-reading" id="reach-reading">${esc(reach.reading)}</p><p class="hint">Positive SII: the most deprived areas are reached more (proportionate universalism); negative: the least deprived are.</p>` : ''}
    <div class="chart-box" id="gap-chart"></div>
    <ul class="chart-legend">${chartLegendHtml(gaps, hasSii)}</ul>
    <div class="stat-grid">
      ${stat(`Absolute gap (most − least deprived)`, s.absolute_gap, diff, 'absolute_gap')}
      ${stat('Relative gap (most ÷ least deprived)', s.relative_gap, ratio, 'relative_gap')}
      ${stat('Slope index of inequality (SII)', s.sii, diff, 'sii')}
      ${stat('Relative index of inequality (RII)', s.rii, ratio, 'rii')}
    </div>
    <p class="reliability">${esc(reliability)}</p>
    ${reach?.notes?.length ? `<details class="data-table"><summary>About these records</summary><ul class="method-notes">${reach.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></details>` : ''}
    <div class="downloads" role="group" aria-label="Download this gap table">
      <a class="btn" id="download-csv" href="${esc(links.csv)}" download>Download CSV</a>
      <a class="btn btn-secondary" id="download-xlsx" href="${esc(links.xlsx)}" download>Excel (XLSX)</a>
      <a class="btn btn-secondary" id="download-geojson" href="${esc(links.geojson)}" download>Map data (GeoJSON)</a>
    </div>
    <details class="data-table">
      <summary>Show the table</summary>
      <table class="groups">
        <caption class="visually-hidden">${esc(indicator?.short_name ?? '')} by ${esc(byLabel)}</caption>
        <thead><tr><th scope="col">Group</th><th scope="col">Areas</th><th scope="col">Value</th><th scope="col">95% CI</th><th scope="col">Count / denom.</th></tr></thead>
        <tbody>${groups.map((g) => `<tr data-key="${esc(g.key)}"><th scope="row">${esc(g.label ?? g.key)}</th><td>${esc(g.areas ?? '')}</td>
          <td>${g.suppressed ? 'suppressed' : esc(num(g.value))}</td><td>${g.suppressed ? '' : esc(ci(g.lower95, g.upper95))}</td>
          <td>${g.suppressed || !Number.isFinite(g.count) ? '' : `${num(g.count, 0)} / ${num(g.denominator, 0)}`}</td></tr>`).join('')}</tbody>
      </table>
    </details>
    ${Array.isArray(gaps.method_notes) && gaps.method_notes.length ? `<details class="data-table"><summary>Method notes</summary><ul class="method-notes">${gaps.method_notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></details>` : typeof gaps.method_notes === 'string' ? `<details class="data-table"><summary>Method notes</summary><p class="method-notes">${esc(gaps.method_notes)}</p></details>` : ''}`;
  const box = root.querySelector('#gap-chart');
  const width = Math.max(280, Math.min(420, root.clientWidth || 340));
  renderGapChart(box, { ...gaps, groups }, indicator, { width, height: 250, byLabel });
}

/**
 * The gap trend under the gap chart: the SII per period with its 95% CI (/api/trend), the
 * period on the map marked, the change first → latest in words as the server states it, and
 * the trend downloads.
 */
export function renderTrendPanel(root, trend, indicator, shownPeriod, links) {
  const unit = indicator?.unit === '%' ? ' pp' : indicator?.unit ? ` ${indicator.unit}` : '';
  root.innerHTML = `
    <h3 class="section">Is the gap closing? SII by period ${trend.synthetic ? SYNTH : ''}</h3>
    <div class="chart-box" id="trend-chart"></div>
    <p class="trend-verdict" id="trend-verdict" data-direction="${esc(trend.direction ?? '')}">${esc(trend.verdict ?? '')}</p>
    <p class="hint">Slope index of inequality${unit ? ` (${esc(unit === ' pp' ? 'percentage points' : unit.trim())})` : ''} with its 95% CI; the filled dot is the period shown above.</p>
    <div class="downloads" role="group" aria-label="Download the gap trend">
      <a class="btn btn-secondary" id="download-trend-csv" href="${esc(links.csv)}" download>Trend CSV</a>
      <a class="btn btn-secondary" id="download-trend-xlsx" href="${esc(links.xlsx)}" download>Trend XLSX</a>
    </div>
    ${Array.isArray(trend.method_notes) && trend.method_notes.length ? `<details class="data-table"><summary>Trend method notes</summary><ul class="method-notes">${trend.method_notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></details>` : ''}`;
  const box = root.querySelector('#trend-chart');
  const width = Math.max(280, Math.min(420, root.clientWidth || 340));
  renderTrendChart(box, trend, indicator, { width, height: 120, current: shownPeriod });
}
