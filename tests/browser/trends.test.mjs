// Periods, gap trends and service reach on the web map, in real headless Chromium against a
// running `gapmap serve` (scripts/browser-tests). Every expected number comes from the server's
// own API for the same request (/api/values, /api/legend, /api/gaps and /api/trend with the
// period, /api/reach), never from numbers written here.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  launch, serverBasics, openMap, getJson, settled, shot, interiorPoints, readPixels, blend, close, parseCsv, zipEntries,
} from './helpers.mjs';

let browser;
let meta, indicators, msoaLevel, msoaAreas;

before(async () => {
  browser = await launch();
  ({ meta, indicators, msoaLevel, msoaAreas } = await serverBasics());
});
after(async () => {
  await browser?.close();
});

const enc = encodeURIComponent;

/** Every area's value as the map holds it (feature-state), by area code. */
async function mapValues(page, codes, level) {
  return page.evaluate(([list, sourceLayer]) => {
    const map = window.__map;
    return Object.fromEntries(list.map((code) => {
      const st = map.getFeatureState({ source: 'areas', sourceLayer, id: code });
      return [code, { value: st.value ?? null, suppressed: !!st.suppressed, cls: st.cls ?? null }];
    }));
  }, [codes, level]);
}

/** The gap chart's bars as drawn (data attributes). */
const chartBars = (page) => page.$$eval('.gap-chart .bar', (gs) => gs.map((g) => ({ ...g.dataset })));

function assertBarsEqual(bars, groups, what) {
  assert.equal(bars.length, groups.length, `${what}: one bar per group`);
  for (const g of groups) {
    const bar = bars.find((b) => b.key === String(g.key));
    assert.ok(bar, `${what}: bar for group ${g.key}`);
    if (g.suppressed) { assert.equal(bar.suppressed, 'true', `${what}: group ${g.key} suppressed`); continue; }
    assert.equal(Number(bar.value), g.value, `${what}: group ${g.key} value`);
    assert.equal(Number(bar.lower), g.lower95, `${what}: group ${g.key} lower`);
    assert.equal(Number(bar.upper), g.upper95, `${what}: group ${g.key} upper`);
  }
}

test('changing the period changes the map fill and the gap chart to the API\'s values for that period, with the SII trend sparkline', async () => {
  const ind = indicators.find((i) => (i.periods?.length ?? 0) > 2 && !i.service && i.level === msoaLevel);
  assert.ok(ind, 'an indicator with several periods at the MSOA level');
  const first = ind.periods[0];
  const latest = ind.periods[ind.periods.length - 1];
  const { page, errors } = await openMap(browser, `?level=${msoaLevel}&ind=${enc(ind.id)}&tab=gaps&by=imd-quintile`);
  try {
    for (const id of ['#overlay-30pct', '#overlay-sites']) if (await page.isChecked(id)) await page.click(id);
    await settled(page);
    assert.ok(await page.isVisible('#period-select'), 'the period selector is shown');
    const options = await page.$$eval('#period-select option', (os) => os.map((o) => o.textContent));
    assert.equal(options.length, ind.periods.length, 'one option per period');
    assert.match(options[0], new RegExp(`^${latest.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(latest\\)`), 'latest first, marked');
    const codes = msoaAreas.map((a) => a.code);
    const points = await interiorPoints(page, msoaAreas);
    const opacity = await page.evaluate(() => window.__map.getPaintProperty('area-fill', 'fill-opacity'));
    const bg = await page.evaluate(() => window.__map.getPaintProperty('background', 'background-color'));

    const check = async (period) => {
      const q = period === latest ? '' : `&period=${enc(period)}`;
      const values = (await getJson(`/api/values?indicator=${enc(ind.id)}&level=${msoaLevel}${q}`)).values;
      const legend = await getJson(`/api/legend?layer=${enc(ind.id)}&level=${msoaLevel}${q}`);
      const shown = await mapValues(page, codes, msoaLevel);
      for (const v of values) {
        const s = shown[v.code];
        if (v.suppressed || !Number.isFinite(v.value)) assert.equal(s.value, null, `${period} ${v.code}: no value on the map`);
        else assert.equal(s.value, v.value, `${period} ${v.code}: map value = /api/values`);
      }
      // The fill colour at each area's interior is its legend class's colour for that period.
      const pixels = await readPixels(page, points);
      const byCode = new Map(values.map((v) => [v.code, v]));
      let matched = 0, expected = 0;
      points.forEach((p, i) => {
        const v = byCode.get(p.code);
        if (!v || v.suppressed || !Number.isFinite(v.value)) return;
        const k = legend.classes.findIndex((c, idx) => v.value >= c.min - 1e-9 && (idx === legend.classes.length - 1 ? v.value <= c.max + 1e-9 : v.value < legend.classes[idx + 1].min));
        if (k < 0) return;
        expected += 1;
        if (close(pixels[i], blend(legend.classes[k].colour, opacity, bg))) matched += 1;
      });
      assert.ok(expected > 0);
      assert.equal(matched, expected, `${period}: ${matched}/${expected} areas filled with their class colour`);
      // The gap chart shows /api/gaps for the same period.
      const gaps = await getJson(`/api/gaps?indicator=${enc(ind.id)}&by=imd-quintile&level=${msoaLevel}${q}&format=json`);
      assertBarsEqual(await chartBars(page), gaps.groups, period);
      assert.equal(await page.getAttribute('.gap-period', 'data-period'), period);
      assert.equal(Number(await page.getAttribute('.stat[data-stat="sii"]', 'data-value')), gaps.summary.sii.value, `${period}: SII`);
      return { values, pixels };
    };

    const atLatest = await check(latest);
    await page.selectOption('#period-select', { label: first });
    await settled(page);
    assert.equal(await page.evaluate(() => window.__app.state.period), first);
    assert.match(page.url(), /[?&]period=/, 'the period is in the URL');
    const atFirst = await check(first);
    const differ = atFirst.values.filter((v, i) => v.value !== atLatest.values[i].value).length;
    assert.ok(differ > 0, 'the two periods have different values');
    assert.ok(atFirst.pixels.some((px, i) => !close(px, atLatest.pixels[i], 2)), 'some areas changed colour');

    // The sparkline: one point per period with the SII and CI of /api/trend, the shown period filled.
    const trend = await getJson(`/api/trend?indicator=${enc(ind.id)}&by=imd-quintile&level=${msoaLevel}`);
    const pts = await page.$$eval('.trend-chart .trend-point', (gs) => gs.map((g) => ({ ...g.dataset, current: g.classList.contains('current') })));
    assert.equal(pts.length, trend.periods.length);
    trend.periods.forEach((p, i) => {
      assert.equal(pts[i].period, p.period);
      if (p.sii) {
        assert.equal(Number(pts[i].value), p.sii.value, `${p.period}: SII`);
        assert.equal(Number(pts[i].lower), p.sii.lower95);
        assert.equal(Number(pts[i].upper), p.sii.upper95);
      }
      assert.equal(pts[i].current, p.period === first, `${p.period}: filled only when shown`);
    });
    assert.equal(await page.textContent('#trend-verdict'), trend.verdict, 'the change in words is the API\'s');
    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.click('#download-trend-csv')]);
    const csv = parseCsv(fs.readFileSync(await csvDl.path(), 'utf8'));
    assert.ok(csv.some((r) => r.includes('SII')), 'the trend CSV has SII rows');
    if (ind.synthetic) assert.ok(await page.isVisible('#synthetic-banner'), 'synthetic values are labelled');
    await shot(page, 'period-trend.png');

    // Reload keeps the period; back to the latest clears it from the URL.
    await page.reload();
    await page.evaluate(() => window.__mapIdle);
    await settled(page);
    assert.equal(await page.inputValue('#period-select'), first);
    await page.selectOption('#period-select', '');
    await settled(page);
    assert.doesNotMatch(page.url(), /[?&]period=/);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('the reach layer renders, and its gap chart shows /api/reach with the SII read in words', async () => {
  const reach = indicators.find((i) => i.service);
  assert.ok(reach, 'a reach indicator is loaded (the synthetic Family Hub demo)');
  const { page, errors } = await openMap(browser, `?level=${reach.level}&tab=gaps&by=imd-quintile`);
  try {
    const label = await page.$eval(`#indicator-select option[value="${reach.id}"]`, (o) => `${o.parentElement.label} / ${o.textContent}`);
    assert.match(label, /Service reach/);
    await page.selectOption('#indicator-select', reach.id);
    await settled(page);
    const values = (await getJson(`/api/values?indicator=${enc(reach.id)}&level=${reach.level}`)).values;
    const shown = await mapValues(page, values.map((v) => v.code), reach.level);
    const coloured = values.filter((v) => !v.suppressed && Number.isFinite(v.value));
    assert.ok(coloured.length > 0);
    for (const v of values) {
      if (v.suppressed) assert.equal(shown[v.code].cls, -1, `${v.code}: suppressed class`);
      else if (Number.isFinite(v.value)) {
        assert.equal(shown[v.code].value, v.value, `${v.code}: reach on the map = /api/values`);
        assert.ok(shown[v.code].cls >= 0, `${v.code}: has a colour class`);
      }
    }
    const rendered = await page.evaluate(() => window.__map.queryRenderedFeatures({ layers: ['area-fill'] }).length);
    assert.ok(rendered > 0, 'reach features are rendered');
    assert.match(await page.textContent('#legend-title'), /Reach/);
    assert.ok(await page.isVisible('#synthetic-banner'), 'synthetic reach is labelled');
    assert.ok(await page.isHidden('#period-select'), 'one period: no selector');

    const report = await getJson(`/api/reach?service=${enc(reach.service)}&by=imd-quintile`);
    assertBarsEqual(await chartBars(page), report.table.groups, 'reach');
    assert.equal(Number(await page.getAttribute('.stat[data-stat="sii"]', 'data-value')), report.table.summary.sii.value);
    assert.equal(await page.textContent('#reach-reading'), report.reading);
    assert.match(await page.textContent('#gap-panel'), /Positive SII: the most deprived areas are reached more/);
    const [xlsxDl] = await Promise.all([page.waitForEvent('download'), page.click('#download-xlsx')]);
    const entries = zipEntries(fs.readFileSync(await xlsxDl.path()));
    assert.ok(entries.some((e) => e.startsWith('xl/worksheets/')), 'the reach XLSX is a workbook');
    await shot(page, 'reach-layer.png');
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('phone width (390 px): the period selector and the trend sparkline fit without horizontal scrolling', async () => {
  const ind = indicators.find((i) => (i.periods?.length ?? 0) > 2 && !i.service);
  const { page, errors } = await openMap(browser, `?ind=${enc(ind.id)}&period=${enc(ind.periods[0])}&tab=gaps`, { width: 390, height: 844 });
  try {
    await settled(page);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= 390, `no horizontal scroll (scrollWidth ${scroll})`);
    assert.equal(await page.locator('.trend-chart .trend-point').count(), ind.periods.length);
    await shot(page, 'phone-390-trend.png');
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});
