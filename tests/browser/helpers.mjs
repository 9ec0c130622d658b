// Shared helpers for the browser tests: launch Debian's Chromium through playwright-core, open
// the map and wait for its first choropleth, read pixels from the WebGL canvas, and small
// parsers for the downloaded files.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const BASE = process.env.MAP_URL ?? 'http://127.0.0.1:8080/';
export const ARTIFACTS = path.resolve(process.env.ARTIFACTS_DIR ?? 'artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });

export function launch() {
  // The recipe in RECIPES §1: Playwright's own flags (--headless --no-sandbox
  // --enable-unsafe-swiftshader) give WebGL2 on SwiftShader; never `playwright install`.
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });
}

export const within = (ms, promise, why) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(why())), ms).unref())]);

/** Absolute URL on the server under test. */
export const url = (rel = '') => new URL(rel, BASE).href;

/** GET JSON from the server under test (through Node, not the page). */
export async function getJson(rel) {
  const res = await fetch(url(rel));
  if (!res.ok) throw new Error(`${rel}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** What most tests start from: /api/meta, /api/indicators, the MSOA level and its areas. */
export async function serverBasics() {
  const meta = await getJson('/api/meta');
  const indicators = await getJson('/api/indicators');
  const msoaLevel = meta.levels.find((l) => /^msoa/.test(l.id))?.id ?? meta.default_level;
  const msoaAreas = await getJson(`/api/areas?level=${msoaLevel}`);
  return { meta, indicators, msoaLevel, msoaAreas };
}

/**
 * Open the map at `rel`, collect console errors, and wait for the first choropleth
 * (window.__mapIdle). Returns {page, errors, wallMs}.
 */
export async function openMap(browser, rel = '', { width = 1366, height = 768, context } = {}) {
  const ctx = context ?? await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  const t0 = Date.now();
  await page.goto(url(rel));
  await waitForMap(page, errors);
  return { page, errors, wallMs: Date.now() - t0 };
}

export async function waitForMap(page, errors = []) {
  await within(30_000, page.evaluate(() => window.__mapIdle ?? Promise.reject(new Error('map script did not run'))),
    () => `map not idle after 30 s; console errors: ${errors.join(' | ')}`);
  await settled(page);
}

/** Wait until the app's fetches are done and the map has drawn the result. */
export async function settled(page) {
  await within(30_000, page.evaluate(() => window.__app.settled()), () => 'page did not settle within 30 s');
}

/** Save a screenshot to artifacts/ (also used on failure). */
export async function shot(page, name) {
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Points (CSS px in the map container) that lie well inside each area: the area's centroid
 * from /api/areas, kept only if the rendered fill there and 4 px around it is that same area.
 */
export async function interiorPoints(page, areas, layer = 'area-fill') {
  return page.evaluate(([list, fillLayer]) => {
    const map = window.__map;
    const { width, height } = map.getCanvas().getBoundingClientRect();
    const out = [];
    for (const a of list) {
      if (!Array.isArray(a.centroid)) continue;
      const p = map.project(a.centroid);
      if (p.x < 8 || p.y < 8 || p.x > width - 8 || p.y > height - 8) continue;
      const same = [[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]].every(([dx, dy]) => {
        const f = map.queryRenderedFeatures([p.x + dx, p.y + dy], { layers: [fillLayer] });
        return f.length > 0 && f.every((x) => x.properties.code === a.code);
      });
      if (same) out.push({ code: a.code, x: Math.round(p.x), y: Math.round(p.y) });
    }
    return out;
  }, [areas, layer]);
}

/**
 * A bare MapLibre page on the server's origin (served by the test itself): the vendored
 * MapLibre, a map fitted to `bounds` with `style` (an object, or a URL such as '/style.json'),
 * and `window.__firstRender` resolving to performance.now() at the first idle.
 */
export function barePageHtml(style, bounds) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare MapLibre</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/vendor/maplibre-gl/maplibre-gl.css">
<style>html,body,#map{margin:0;height:100%}</style></head>
<body><div id="map"></div><script type="module">
const maplibregl = await import('/vendor/maplibre-gl/maplibre-gl.mjs');
const style = ${JSON.stringify(style)};
const map = new maplibregl.Map({ container: 'map', style: typeof style === 'string' ? location.origin + style : style,
  bounds: ${JSON.stringify(bounds)}, fitBoundsOptions: { padding: 16 }, fadeDuration: 0, attributionControl: false });
window.__map = map;
window.__firstRender = new Promise((resolve) => map.once('idle', () => resolve(Math.round(performance.now()))));
</script></body></html>`;
}

/** Open a bare page (see barePageHtml) at a path of the server's origin. */
export async function openBarePage(browser, html, { width = 1366, height = 768 } = {}) {
  const ctx = await browser.newContext({ viewport: { width, height } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const path = url('/__bare.html');
  await page.route(path, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await page.goto(path);
  await page.waitForFunction(() => window.__firstRender !== undefined, null, { timeout: 30_000 });
  const firstRender = await within(30_000, page.evaluate(() => window.__firstRender), () => `bare page did not render: ${errors.join(' | ')}`);
  return { page, errors, firstRender };
}

/** Read RGB pixels from the map canvas at CSS points, inside MapLibre's render event. */
export async function readPixels(page, points) {
  return page.evaluate((pts) => new Promise((resolve) => {
    const map = window.__map;
    map.once('render', () => {
      const canvas = map.getCanvas();
      const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
      const dpr = canvas.width / canvas.clientWidth;
      resolve(pts.map(({ x, y }) => {
        const px = new Uint8Array(4);
        gl.readPixels(Math.round(x * dpr), Math.round(canvas.height - y * dpr - 1), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
        return [px[0], px[1], px[2]];
      }));
    });
    map.triggerRepaint();
  }), points);
}

export const hexToRgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** Colour after alpha-compositing `fg` at `alpha` over `bg` (both #rrggbb). */
export function blend(fg, alpha, bg) {
  const f = hexToRgb(fg), b = hexToRgb(bg);
  return f.map((c, i) => Math.round(alpha * c + (1 - alpha) * b[i]));
}

export const close = (a, b, tol = 8) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

/** Numbers in a legend label such as "12.9% to under 15.3%" or "1 most deprived". */
export const numbersIn = (s) => (s.replace(/,/g, '').match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);

/** RFC 4180 CSV parser (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** File names in a ZIP archive's central directory (XLSX is a ZIP of XML parts). */
export function zipEntries(buf) {
  const names = [];
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a ZIP archive: no end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry ${n}`);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** WCAG 2.x contrast ratio between two [r,g,b] colours. */
export function contrastRatio(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
