// Uploads and security headers in real headless Chromium against a running `gapmap serve`
// started with a token (scripts/browser-tests passes it as GAPMAP_TEST_TOKEN): an uploaded
// indicator appears on the map and in /api/gaps; without the token 401; oversize 413; a bad
// file 400 naming line and field while the map keeps serving the old data; and the map runs
// under the server's Content-Security-Policy with no violation in the console.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launch, openMap, getJson, settled, shot, url } from './helpers.mjs';

const TOKEN = process.env.GAPMAP_TEST_TOKEN;
let browser;
let codes;

before(async () => {
  browser = await launch();
  const meta = await getJson('/api/meta');
  codes = (await getJson(`/api/areas?level=${meta.default_level}`)).map((a) => a.code);
});
after(async () => {
  if (TOKEN) await fetch(url('/api/indicators/browser-upload'), { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
  await browser?.close();
});

const tidy = (id, count) => 'area_code,indicator_id,period,count,denominator\n'
  + codes.map((c, i) => `${c},${id},2024/25,${count(i)},400\n`).join('');

const post = (rel, body, token = TOKEN) => fetch(url(rel), {
  method: 'POST', body, headers: token ? { Authorization: `Bearer ${token}` } : {},
});

/**
 * POST `bytes` bytes with `Expect: 100-continue`, as curl does for large bodies: a server that
 * refuses the size answers before the body is sent (fetch would see the socket close mid-body).
 */
function postLarge(rel, bytes, token) {
  return new Promise((resolve, reject) => {
    const req = http.request(url(rel), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Length': bytes, Expect: '100-continue' },
    });
    req.on('continue', () => req.end(Buffer.alloc(bytes, 120)));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => { resolve({ status: res.statusCode, body }); req.destroy(); });
    });
    req.on('error', reject);
  });
}

test('the map runs under the Content-Security-Policy with no violations', async () => {
  const res = await fetch(url(''));
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /worker-src 'self' blob:/);
  assert.match(csp, /script-src 'self';/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(res.headers.get('referrer-policy'));
  assert.equal(res.headers.get('access-control-allow-origin'), null, 'CORS is off by default');
  const { page, errors } = await openMap(browser, '');
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  try {
    // Switch level so more workers/tiles load under the policy.
    await page.goto(url('?level=lsoa11'));
    await settled(page);
    assert.deepEqual(violations, []);
    assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused to/i.test(e)), []);
  } finally {
    await page.context().close();
  }
});

test('uploads: 401 without the token, 413 oversize, 400 naming line and field, then the upload appears on the map and in /api/gaps', { skip: !TOKEN && 'GAPMAP_TEST_TOKEN not set' }, async () => {
  const body = tidy('browser-upload', (i) => 20 + (i * 7) % 90);
  const anonymous = await post('/api/indicators', body, null);
  assert.equal(anonymous.status, 401);
  assert.match((await anonymous.json()).detail, /Bearer/);

  const big = await postLarge('/api/indicators', 21 * 1024 * 1024, TOKEN);
  assert.equal(big.status, 413);
  assert.match(JSON.parse(big.body).detail, /larger than 20 MB/);

  const before = await getJson('/api/values?indicator=990001');
  const lines = body.split('\n');
  lines[2] = lines[2].replace(/,\d+,400$/, ',-5,400');
  const bad = await post('/api/indicators?file=bad.csv', lines.join('\n'));
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).detail, /^bad\.csv:3: field "Count" is negative/);
  // The map keeps serving the old data.
  assert.deepEqual(await getJson('/api/values?indicator=990001'), before);
  assert.equal((await getJson('/api/indicators')).some((i) => i.id === 'browser-upload'), false);

  const ok = await post('/api/indicators?file=browser.csv&name=Browser%20upload%20test&polarity=higher_is_worse', body);
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.deepEqual((await ok.json()).changed, ['browser-upload']);
  const gaps = await getJson('/api/gaps?indicator=browser-upload&by=imd-quintile');
  assert.equal(gaps.groups.length, 5);

  const { page, errors } = await openMap(browser, '?ind=browser-upload');
  try {
    assert.equal(await page.evaluate(() => window.__app.state.ind), 'browser-upload');
    const options = await page.$$eval('#indicator-select option', (os) => os.map((o) => o.value));
    assert.ok(options.includes('browser-upload'));
    assert.match(await page.textContent('#legend-title'), /Browser upload test/);
    const classes = await page.$$eval('#legend li[data-colour^="#"]', (lis) => lis.length);
    assert.ok(classes >= 2, `legend has ${classes} classes`);
    // Every area's value reached the map (feature-state joined from /api/values).
    const values = await getJson('/api/values?indicator=browser-upload');
    assert.equal(values.values.filter((v) => Number.isFinite(v.value)).length, codes.length);
    await shot(page, 'upload-on-map.png');
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});
