// The control panel and the header: filling the selects from the server's lists (levels,
// indicators with their periods, service reach, groupings with their labels, localities),
// wiring them to the actions, and the
// header line and synthetic-data banner that describe what is on screen.

import { IMD_CHOICES, isImdChoice } from './choropleth.js';
import { setupSearch } from './search.js';
import { esc, num, editionLabel } from './format.js';

/** Fill the controls that do not depend on the level, and wire every control to `actions`. */
export function setupControls(ctx, actions) {
  const { ui, meta } = ctx;
  ui.placeName.textContent = `Children's health gaps · ${meta.name ?? ''}`;
  document.title = `gapmap — ${meta.name ?? 'children\'s health gaps'}`;

  ui.level.innerHTML = (meta.levels ?? []).filter((l) => l.id !== 'la' && l.id !== 'locality')
    .map((l) => `<option value="${esc(l.id)}">${esc(l.label)}${Number.isFinite(l.count) ? ` — ${num(l.count, 0)} areas` : ''}</option>`).join('');
  ui.level.value = ctx.state.level;
  fillIndicatorSelect(ctx);

  // Groupings and their labels come from the server; per-area tables are downloads, not charts.
  ui.gapBy.innerHTML = ctx.groupings.filter((g) => g.available && !g.per_area)
    .map((g) => `<option value="${esc(g.id)}">${esc(g.label)}</option>`).join('');
  ui.gapBy.value = ctx.state.by;
  ui.gapIndicator.innerHTML = ctx.indicators.map((i) => `<option value="${esc(i.id)}">${esc(i.short_name || i.name)}${i.synthetic ? ' (synthetic)' : ''}</option>`).join('');

  const attributions = Array.isArray(meta.attribution) ? meta.attribution : meta.attribution ? [meta.attribution] : [];
  const scheme = meta.locality_scheme;
  ui.sources.innerHTML = [
    ...attributions.map((a) => `<p>${esc(typeof a === 'string' ? a : a.attribution ?? a.title ?? '')}</p>`),
    scheme ? `<p>Localities: ${esc(scheme.name)}${scheme.illustrative ? ' (illustrative grouping, not the council\'s own)' : ''}.</p>` : '',
    meta.built_at ? `<p>Data built ${esc(String(meta.built_at).slice(0, 10))}.</p>` : '',
  ].join('');

  ui.indicator.addEventListener('change', () => actions.setIndicator(ui.indicator.value));
  ui.period.addEventListener('change', () => actions.setPeriod(ui.period.value));
  ui.level.addEventListener('change', () => actions.setLevel(ui.level.value));
  ui.locality.addEventListener('change', () => actions.setLocality(ui.locality.value, { zoom: true }));
  ui.gapBy.addEventListener('change', () => actions.setGapGrouping(ui.gapBy.value));
  ui.gapIndicator.addEventListener('change', () => actions.setGapIndicator(ui.gapIndicator.value));
  for (const box of [ui.overlay30, ui.overlaySites, ui.overlayLabels]) box.addEventListener('change', actions.applyOverlays);
  ui.toggleControls.addEventListener('click', () => {
    const open = !document.body.classList.contains('controls-open');
    document.body.classList.toggle('controls-open', open);
    ui.toggleControls.setAttribute('aria-expanded', String(open));
    if (open) ui.controls.focus();
  });

  const tabs = [['area', ui.tabArea], ['gaps', ui.tabGaps], ['place', ui.tabPlace]];
  for (const [id, tab] of tabs) {
    tab.addEventListener('click', () => actions.setTab(id, { push: true, focus: false }));
    tab.addEventListener('keydown', (e) => {
      const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -tabs.length, End: tabs.length };
      if (!(e.key in moves)) return;
      e.preventDefault();
      const at = tabs.findIndex(([t]) => t === ctx.state.tab);
      const next = Math.max(0, Math.min(tabs.length - 1, at + moves[e.key]));
      actions.setTab(tabs[next][0], { push: true, focus: true });
    });
  }
  actions.setTab(ctx.state.tab, { push: false, focus: false });

  setupSearch({
    input: ui.searchInput, list: ui.searchResults, box: ui.searchBox, status: ui.searchStatus,
    search: (q) => ctx.track(actions.search(q)), onPick: (r) => ctx.track(actions.pickSearchResult(r)),
    levelLabel: ctx.levelLabel,
  });

  window.addEventListener('popstate', () => ctx.track(actions.applyUrlState()));
}

/** The map-layer select: IMD (if the level has it), every health indicator, and service reach. */
export function fillIndicatorSelect(ctx) {
  const edition = ctx.editionFor(ctx.state.level);
  const imdOk = !!edition;
  const imdOpts = IMD_CHOICES.map((c) => `<option value="${c.id}"${imdOk ? '' : ' disabled'}>${esc(c.label.replace('IMD', edition ? editionLabel(edition) : 'IMD'))}${imdOk ? '' : ' — not available for these areas'}</option>`).join('');
  const option = (i) => `<option value="${esc(i.id)}">${esc(i.short_name || i.name)}${i.synthetic ? ' (synthetic demo data)' : ''}</option>`;
  const indOpts = ctx.indicators.filter((i) => !i.service).map(option).join('');
  const reachOpts = ctx.indicators.filter((i) => i.service).map(option).join('');
  ctx.ui.indicator.innerHTML = `<optgroup label="Deprivation">${imdOpts}</optgroup>${indOpts ? `<optgroup label="Children's health indicators">${indOpts}</optgroup>` : ''}`
    + (reachOpts ? `<optgroup label="Service reach (contacts per 1,000 children)">${reachOpts}</optgroup>` : '');
  ctx.ui.indicator.value = ctx.state.ind;
  fillPeriodSelect(ctx);
}

/**
 * The period select: the map indicator's periods, newest first (the latest is the default and
 * is written to the URL as nothing); hidden for IMD layers and single-period indicators.
 */
export function fillPeriodSelect(ctx) {
  const { ui, state } = ctx;
  const periods = isImdChoice(state.ind) ? [] : ctx.indicatorById(state.ind)?.periods ?? [];
  ui.periodBlock.hidden = periods.length < 2;
  const latest = periods[periods.length - 1];
  ui.period.innerHTML = [...periods].reverse().map((p) => `<option value="${p === latest ? '' : esc(p)}">${esc(p)}${p === latest ? ' (latest)' : ''}</option>`).join('');
  ui.period.value = ctx.periodFor(state.ind);
}

/** The locality select, from the localities of the current level's areas. */
export function fillLocalities(ctx) {
  const { ui } = ctx;
  const ids = [...new Set(ctx.areas.map((a) => a.locality).filter(Boolean))].sort((a, b) => ctx.localityLabel(a).localeCompare(ctx.localityLabel(b)));
  ui.locality.innerHTML = `<option value="">Whole ${esc(ctx.meta.name ?? 'area')}</option>${ids.map((id) => `<option value="${esc(id)}">${esc(ctx.localityLabel(id))}</option>`).join('')}`;
  ui.locality.disabled = ids.length === 0;
  if (ctx.state.loc && !ids.includes(ctx.state.loc)) ctx.state.loc = '';
  ui.locality.value = ctx.state.loc;
  const scheme = ctx.meta.locality_scheme;
  ui.localityNote.textContent = ids.length === 0 ? 'No localities are loaded for these areas.'
    : scheme?.illustrative ? 'Localities are an illustrative grouping.' : '';
}

/** The header line: map layer · level · locality — selected area. */
export function updateHeader(ctx) {
  const { state } = ctx;
  const ind = state.ind;
  const label = IMD_CHOICES.some((c) => c.id === ind) ? `${editionLabel(ctx.editionFor(state.level))} ${ind === 'imd-decile' ? 'decile' : 'score'}` : ctx.indicatorById(ind)?.short_name ?? ind;
  const bits = [`<span>${esc(label)}</span>`];
  if (ctx.periodFor(ind)) bits.push(`<span>${esc(ctx.periodFor(ind))}</span>`);
  bits.push(`<span>${esc(ctx.levelLabel(state.level))}</span>`);
  if (state.loc) bits.push(`<span>${esc(ctx.localityLabel(state.loc))}</span>`);
  const area = ctx.currentArea && ctx.currentArea.code === state.area ? ctx.currentArea : null;
  const present = document.querySelector('#present-link');
  if (present) present.href = `/present${state.loc ? `?locality=${encodeURIComponent(state.loc)}` : ''}`;
  ctx.ui.currentView.innerHTML = `${bits.join(' · ')}${area ? ` — <strong>${esc(area.name)}</strong> <span class="code">${esc(area.code)}</span>` : ''}`;
}

/** The banner shows whenever synthetic numbers are on screen: map layer, area profile or gap panel. */
export function updateBanner(ctx, gapIndicatorId) {
  const { ui, state } = ctx;
  const reasons = [];
  if (ctx.indicatorById(state.ind)?.synthetic) reasons.push('the map');
  if (state.tab === 'area' && ctx.currentArea?.indicators?.some((i) => i.synthetic)) reasons.push('the area profile');
  if (state.tab === 'gaps' && (ctx.currentGaps?.synthetic || ctx.indicatorById(gapIndicatorId)?.synthetic)) reasons.push('the gap chart');
  if (state.tab === 'place' && ctx.place?.report?.synthetic) reasons.push('the placement need');
  const show = reasons.length > 0;
  ui.banner.hidden = !show;
  document.body.classList.toggle('has-banner', show);
  if (show) ui.bannerDetail.textContent = `Values in ${reasons.join(' and ')} are modelled from deprivation, not measured.`;
}
