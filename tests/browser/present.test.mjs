// Present mode (/present?locality=…) in real headless Chromium against a running `gapmap serve`:
// the Present button on the map opens it for the current locality; the keyboard steps through
// every slide (→, ←, End, Home) with no console errors; each indicator slide's key figures are
// /api/gaps for the locality and indicator; the synthetic banner shows on synthetic slides; the
// live map draws; Escape goes back to the map.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openMap, getJson, shot, url, within } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

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
  const indicators = await getJson('/api/indicators');
  const locality = 'North';
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url(`/present?locality=${locality}`));
  await presentSettled(page);
  const total = await page.evaluate(() => window.__present.slides.length);
  assert.equal(total, indicators.length + 2, 'title, one per indicator, sources');
  assert.match(await page.textContent('#present-count'), new RegExp(`Slide 1 of ${total}`));
  // The live map has drawn the locality's areas.
  const drawn = await page.evaluate(() => window.__map.queryRenderedFeatures({ layers: ['area-fill'] }).length);
  assert.ok(drawn > 0, 'the title slide map drew no areas');

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
    // The chart is the web chart, drawn from the same table: one bar per group.
    assert.equal(await page.locator('#present-chart svg .bar').count(), gaps.groups.length);
    const banner = await page.isVisible('#present-banner');
    assert.equal(banner, !!ind.synthetic, `${ind.id}: synthetic banner`);
    await shot(page, `present-${i + 2}.png`);
  }
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
