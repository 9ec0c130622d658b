// gapmap present mode: boot. The slides and their keyboard are in js/present.js.
// Test hooks: window.__present (the context: slides, index, settled()), window.__map.

import { createPresentContext, loadLocality, showSlide, onKey } from './js/present.js';

const ctx = createPresentContext();
window.__present = ctx;

async function boot() {
  const maplibre = await import('/vendor/maplibre-gl/maplibre-gl.mjs');
  ctx.maplibregl = maplibre.default ?? maplibre;
  await loadLocality(ctx);
  document.addEventListener('keydown', (e) => onKey(ctx, e));
  // Full screen needs a user gesture: the first click asks for it.
  document.addEventListener('click', () => {
    if (!document.fullscreenElement) document.documentElement.requestFullscreen?.().catch(() => {});
  }, { once: true });
  await showSlide(ctx, 0);
  ctx.ui.slide.focus();
}

window.__presentReady = ctx.track(boot().catch((e) => {
  console.error('present mode could not start:', e);
  ctx.ui.title.textContent = `Could not start: ${e.message}`;
}));
