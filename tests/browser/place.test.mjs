// The what-if placement panel in real headless Chromium against a running `gapmap serve`:
// propose sites, add one by clicking the map, move and remove one, and check that the coverage
// by IMD quintile the panel shows equals /api/place for the same site set (fetched here, not
// written here); the scenario survives in the URL; synthetic need is labelled; screenshots at
// 1280 and 390 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, launch, openMap, getJson, settled, shot } from './helpers.mjs';

let browser, indicators;
const timings = {};

before(async () => {
  browser = await launch();
  indicators = await getJson('/api/indicators');
});
after(async () => {
  fs.writeFileSync(path.join(ARTIFACTS, 'place-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  await browser?.close();
});

const scenario = (page) => page.evaluate(() => {
  const { pm, pr, pk, pn, ps } = window.__app.state;
  return { pm, pr, pk, pn, ps };
});

/** The API's report for the page's scenario (radius in metres, sites as in the URL). */
async function apiReport(s) {
  const q = new URLSearchParams({ model: s.pm, radius: String(Math.round(Number(s.pr) * 1000)), need: s.pn, sites: s.ps });
  return getJson(`/api/place?${q}`);
}

/** What the panel's table shows: per row, the raw value and the text of each share cell. */
const shownTable = (page) => page.$$eval('#place-result table.place-table tbody tr', (rows) => rows.map((tr) => ({
  quintile: tr.dataset.quintile,
  cells: Object.fromEntries([...tr.querySelectorAll('td[data-field^="share"]')].map((td) => [td.dataset.field, { value: td.dataset.value, text: td.textContent.trim() }])),
})));

const pctText = (x) => `${new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x * 100)}%`;

/** The panel's table equals the API's by-quintile shares, value for value and as printed. */
async function assertTableEqualsApi(page, why) {
  const s = await scenario(page);
  const report = await apiReport(s);
  const shown = await shownTable(page);
  assert.equal(shown.length, report.by_quintile.length, `${why}: one row per quintile and all`);
  report.by_quintile.forEach((row, i) => {
    assert.equal(shown[i].quintile, String(row.quintile ?? 'all'), why);
    for (const field of ['share_before', 'share_after']) {
      const cell = shown[i].cells[field];
      assert.equal(Number(cell.value), row[field], `${why}: ${row.label} ${field}`);
      assert.equal(cell.text, pctText(row[field]), `${why}: ${row.label} ${field} as printed`);
    }
  });
  const gap = await page.$eval('#place-result .place-gap', (p) => Number(p.dataset.gapChange));
  assert.equal(gap, report.gap_q1_q5.coverage_gap_change, `${why}: Q1 − Q5 gap change`);
  return report;
}

test('what-if placement: propose, add a site on the map, move and remove one — the table equals /api/place', async () => {
  const { page, errors } = await openMap(browser, '?tab=place', { width: 1280, height: 800 });
  try {
    assert.equal(await page.getAttribute('#tab-place', 'aria-selected'), 'true');
    assert.ok(await page.isVisible('#place-propose'), 'the Propose button shows');
    await page.fill('#place-k', '2');
    await page.dispatchEvent('#place-k', 'change');
    await page.selectOption('#place-model', 'mclp');
    await page.fill('#place-radius', '3');
    await page.dispatchEvent('#place-radius', 'change');

    // Propose: the spinner's status ends in "done", two sites are in the URL and on the map.
    const t0 = Date.now();
    await page.click('#place-propose');
    await settled(page);
    timings.propose_k2_ms = Date.now() - t0;
    let s = await scenario(page);
    const proposed = s.ps.split(',');
    assert.equal(proposed.length, 2, `two proposed sites: ${s.ps}`);
    assert.match(await page.textContent('#place-status'), /done in/);
    assert.equal(await page.locator('.place-marker').count(), 2);
    assert.ok(new URL(page.url()).searchParams.get('ps') === s.ps, 'the URL holds the sites');
    const solved = await getJson(`/api/place?model=mclp&k=2&radius=3000&need=imd-score`);
    assert.deepEqual(solved.chosen, proposed, 'the proposal is the API solve');
    await assertTableEqualsApi(page, 'after propose');
    await shot(page, 'place-1280.png');

    // Add a site by clicking the map (its centre, inside the county).
    const box = await page.locator('#map canvas.maplibregl-canvas').boundingBox();
    const t1 = Date.now();
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.55);
    await settled(page);
    timings.add_site_to_table_ms = Date.now() - t1;
    s = await scenario(page);
    const sites = s.ps.split(',');
    assert.equal(sites.length, 3, `a third site: ${s.ps}`);
    assert.match(sites[2], /^@-?\d+\.\d{5}:\d+\.\d{5}$/, 'a new place as @LON:LAT');
    assert.equal(await page.locator('.place-marker').count(), 3);
    const added = await assertTableEqualsApi(page, 'after adding a site');
    assert.deepEqual(added.chosen, sites);
    assert.doesNotMatch(await page.textContent('#place-result'), /withheld/, 'no row withheld at county level');

    // Drag the new site 60 px east: it becomes another place, and the table follows.
    const marker = page.locator(`.place-marker[data-site="${sites[2]}"]`);
    const m = await marker.boundingBox();
    await page.mouse.move(m.x + m.width / 2, m.y + m.height / 2);
    await page.mouse.down();
    await page.mouse.move(m.x + m.width / 2 + 30, m.y + m.height / 2, { steps: 4 });
    await page.mouse.move(m.x + m.width / 2 + 60, m.y + m.height / 2, { steps: 4 });
    await page.mouse.up();
    await settled(page);
    s = await scenario(page);
    const moved = s.ps.split(',');
    assert.equal(moved.length, 3);
    assert.notEqual(moved[2], sites[2], 'the dragged site moved');
    assert.deepEqual(moved.slice(0, 2), proposed, 'the others stay');
    await assertTableEqualsApi(page, 'after dragging a site');

    // Click a proposed site: it is removed.
    const t2 = Date.now();
    await page.click(`.place-marker[data-site="${proposed[0]}"]`);
    await settled(page);
    timings.remove_site_to_table_ms = Date.now() - t2;
    s = await scenario(page);
    assert.deepEqual(s.ps.split(','), [proposed[1], moved[2]]);
    await assertTableEqualsApi(page, 'after removing a site');
    assert.deepEqual(errors, [], `console errors: ${errors.join(' | ')}`);

    // The URL round trip: a new page at this URL shows the same scenario and the same table.
    const link = page.url();
    const shownHere = await shownTable(page);
    const second = await openMap(browser, link.slice(link.indexOf('?')), { width: 1280, height: 800 });
    try {
      assert.deepEqual(await scenario(second.page), s, 'the scenario survives the link');
      assert.equal(await second.page.getAttribute('#tab-place', 'aria-selected'), 'true');
      assert.equal(await second.page.inputValue('#place-k'), '2');
      assert.equal(await second.page.locator('.place-marker').count(), 2);
      assert.deepEqual(await shownTable(second.page), shownHere, 'the same numbers');
      assert.deepEqual(second.errors, []);
    } finally {
      await second.page.context().close();
    }
  } catch (e) {
    await shot(page, 'place-failure.png');
    throw e;
  } finally {
    await page.context().close();
  }
});

test('what-if placement: synthetic need is labelled, and the panel fits a phone (390 px)', async () => {
  const synthetic = indicators.find((i) => i.synthetic && ['higher_is_worse', 'higher_is_better'].includes(i.polarity));
  assert.ok(synthetic, 'the demo data has a synthetic indicator with a polarity');
  const ps = (await getJson('/api/place?k=2')).chosen.join(',');
  const q = new URLSearchParams({ tab: 'place', pn: `indicator:${synthetic.id}`, ps });
  const { page, errors } = await openMap(browser, `?${q}`, { width: 390, height: 844 });
  try {
    assert.match(await page.textContent('#place-result .place-synthetic'), /Synthetic demonstration data/);
    assert.ok(await page.isVisible('#synthetic-banner'), 'the banner shows');
    assert.match(await page.textContent('#place-need'), /\(synthetic\)/);
    await assertTableEqualsApi(page, 'synthetic need');
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= 390, `no horizontal scroll (scrollWidth ${scroll})`);
    await shot(page, 'place-390.png');
    // On a phone the details panel scrolls below the map: its table, as a person scrolls to it.
    await page.evaluate(() => document.querySelector('#place-result').scrollIntoView());
    await shot(page, 'place-390-table.png');
    assert.deepEqual(errors, [], `console errors: ${errors.join(' | ')}`);
  } finally {
    await page.context().close();
  }
});
