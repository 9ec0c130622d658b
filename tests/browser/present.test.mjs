// Present mode (/present?locality=…) in real headless Chromium against a running `gapmap serve`:
// the Present button on the map opens it for the current locality; the keyboard steps through
// every slide (→, ←, End, Home) with no console errors; each indicator slide's key figures are
// /api/gaps for the locality and indicator and its reading is /api/gaps' `reading` (the deck's
// sentence); the service-reach slide's figures are /api/reach's; suppressed areas are hatched on every tile of the map; the synthetic banner shows
// on synthetic slides; the live map draws; Escape goes back to the map.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openMap, getJson, shot, url, within, interiorPoints, readPixels } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * The locality's suppressed areas on the shown map, each with the darkest pixel (luma) of an
 * 8 × 8 px block at an interior point: the hatch tile is 8 CSS px, so every such block crosses a
 * dark hatch line, while the flat suppressed grey (#b9bdc3) has none.
 */
async function suppressedAreaShades(page, values, level, locality) {
  const suppressed = new Set(values.filter((v) => v.suppressed).map((v) => v.code));
  const areas = (await getJson(`/api/areas?level=${level}`)).filter((a) => a.locality === locality && suppressed.has(a.code));
  const points = await interiorPoints(page, areas);
  const offsets = [-4, -3, -2, -1, 0, 1, 2, 3];
  const block = points.flatMap((p) => offsets.flatMap((dx) => offsets.map((dy) => ({ x: p.x + dx, y: p.y + dy }))));
  const pixels = await readPixels(page, block);
  const luma = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return points.map((p, i) => ({ code: p.code, darkest: Math.min(...pixels.slice(i * 64, i * 64 + 64).map(luma)) }));
}

const presentSettled = (page) => within(30_000, page.evaluate(async () => {
  await window.__presentReady;
  await window.__present.settled();
}), () => 'present mode did not settle within 30 s');

test('the Present button opens present mode for the current locality', async () => {
  const localities = await getJson('/api/areas?level=locality');
  const loc = localities[0].locality ?? localities[0].name;
  const { page, errors } = await openMap(browser, `/?loc=${encodeURIComponent(loc)}`);
  const href = await page.getAttribute('#present-link', 'href');
  assert.equal(href, `/present?locality=${encodeURIComponent(loc)}`);
  await page.click('#present-link');
  await page.waitForURL(/\/present\?locality=/);
  await presentSettled(page);
  assert.ok((await page.textContent('#present-title')).includes(localities[0].name));
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('keyboard steps through every slide with the same numbers as /api/gaps', async () => {
  const all = await getJson('/api/indicators');
  const indicators = all.filter((d) => !d.service);
  const services = all.filter((d) => d.service);
  assert.ok(services.length > 0, 'the default config loads a service: the reach slide went untested');
  const locality = 'North';
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url(`/present?locality=${locality}`));
  await presentSettled(page);
  const total = await page.evaluate(() => window.__present.slides.length);
  assert.equal(total, indicators.length + 3, 'title, one per health indicator, service reach, sources');
  assert.match(await page.textContent('#present-count'), new RegExp(`Slide 1 of ${total}`));
  // The live map has drawn the locality's areas.
  const drawn = await page.evaluate(() => window.__map.queryRenderedFeatures({ layers: ['area-fill'] }).length);
  assert.ok(drawn > 0, 'the title slide map drew no areas');

  let suppressedChecked = 0;
  for (let i = 0; i < indicators.length; i += 1) {
    await page.keyboard.press('ArrowRight');
    await presentSettled(page);
    const ind = indicators[i];
    assert.equal(await page.evaluate(() => window.__present.index), i + 1);
    assert.equal(await page.textContent('#present-title'), `${ind.short_name}: ${locality}`);
    const gaps = await getJson(`/api/gaps?indicator=${ind.id}&locality=${locality}`);
    const figures = await page.textContent('#present-figures');
    const groups = [...gaps.groups].sort((a, b) => a.order - b.order);
    const nf = (x, dp) => new Intl.NumberFormat('en-GB', { minimumFractionDigits: dp, maximumFractionDigits: dp }).format(x);
    for (const g of [groups[0], groups[groups.length - 1]]) {
      if (g.suppressed) assert.match(figures, /withheld/);
      else for (const v of [g.value, g.lower95, g.upper95]) assert.ok(figures.includes(nf(v, 1)), `${ind.id}: ${nf(v, 1)} not in ${figures}`);
    }
    const ratio = gaps.summary.relative_gap;
    if (ratio) for (const v of [ratio.value, ratio.lower95, ratio.upper95]) assert.ok(figures.includes(nf(v, 2)), `${ind.id}: ratio ${nf(v, 2)}`);
    // The key-figures rows are the slide's own (served with the table).
    for (const row of gaps.key_figures) for (const cell of row) assert.ok(figures.includes(cell), `${ind.id}: ${cell} not in ${figures}`);
    // The reading is the server's sentence for this table, the one the deck's slide carries.
    assert.ok(gaps.reading.length > 20, `${ind.id}: /api/gaps has no reading`);
    assert.equal(await page.textContent('#present-reading'), gaps.reading);
    // Every suppressed area of the locality is hatched, on whichever tile it is drawn.
    const values = (await getJson(`/api/values?indicator=${ind.id}&level=${ind.level}`)).values;
    if (values.some((v) => v.suppressed)) {
      const hatched = await page.evaluate(() => window.__map.queryRenderedFeatures({ layers: ['area-hatch'] }).length);
      assert.ok(hatched > 0, `${ind.id}: no hatch layer features`);
      const shades = await suppressedAreaShades(page, values, ind.level, locality);
      assert.ok(shades.length > 0, `${ind.id}: no suppressed area of ${locality} to check`);
      const flat = shades.filter((s) => s.darkest > 150);
      if (flat.length) await shot(page, `present-unhatched-${ind.id}.png`);
      assert.deepEqual(flat, [], `${ind.id}: suppressed areas drawn without the hatch`);
      suppressedChecked += shades.length;
    }
    // The chart is the web chart, drawn from the same table: one bar per group.
    assert.equal(await page.locator('#present-chart svg .bar').count(), gaps.groups.length);
    const banner = await page.isVisible('#present-banner');
    assert.equal(banner, !!ind.synthetic, `${ind.id}: synthetic banner`);
    await shot(page, `present-${i + 2}.png`);
  }
  assert.ok(suppressedChecked > 0, 'no slide had suppressed areas: the hatch went untested');
  // The reach slide: /api/reach for the locality, every service's rate by quintile (whole
  // numbers, as the deck), its SII, and the headline service's reading.
  await page.keyboard.press('ArrowRight');
  await presentSettled(page);
  assert.equal(await page.textContent('#present-title'), `Service reach: ${locality}`);
  const whole = (x) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 }).format(x);
  const reachFigures = await page.textContent('#present-figures');
  for (const [i, s] of services.entries()) {
    const reach = await getJson(`/api/reach?service=${encodeURIComponent(s.id)}&locality=${locality}`);
    if (i === 0) assert.equal(await page.textContent('#present-reading'), `${s.service}: ${reach.reading}`);
    assert.ok(reachFigures.includes(`${s.service} (${reach.summary.ages})`), `${s.id}: no column in ${reachFigures}`);
    for (const g of reach.table.groups) {
      assert.ok(reachFigures.includes(g.suppressed ? 'withheld' : whole(g.value)), `${s.id} ${g.key}: ${whole(g.value)} not in ${reachFigures}`);
    }
    const sii = reach.table.summary.sii;
    if (sii) assert.ok(reachFigures.includes(`(${whole(sii.lower95)} to ${whole(sii.upper95)})`), `${s.id}: SII interval not in ${reachFigures}`);
  }
  assert.equal(await page.locator('#present-chart svg .bar').count(), (await getJson(`/api/reach?service=${encodeURIComponent(services[0].id)}&locality=${locality}`)).table.groups.length);
  assert.ok(await page.evaluate(() => window.__map.queryRenderedFeatures({ layers: ['area-fill'] }).length) > 0, 'the reach map drew no areas');
  assert.equal(await page.isVisible('#present-banner'), services.some((s) => s.synthetic), 'reach: synthetic banner');
  await shot(page, `present-reach.png`);
  await page.keyboard.press('ArrowRight');
  await presentSettled(page);
  assert.match(await page.textContent('#present-title'), /Sources/);
  await page.keyboard.press('ArrowRight'); // past the end: stays on the last slide
  await presentSettled(page);
  assert.equal(await page.evaluate(() => window.__present.index), total - 1);
  await page.keyboard.press('Home');
  await presentSettled(page);
  assert.equal(await page.evaluate(() => window.__present.index), 0);
  await page.keyboard.press('End');
  await presentSettled(page);
  await page.keyboard.press('ArrowLeft');
  await presentSettled(page);
  assert.equal(await page.evaluate(() => window.__present.index), total - 2);
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('loc') === locality);
  assert.deepEqual(errors, []);
  await ctx.close();
});
