// ImageGridRenderer + GanTrainer.drawSamples: G's samples drawn by a render
// pass straight from the GPU buffer (no readback), compared pixel by pixel
// with generate() of the same noise; labels; nothing created per frame; wrong
// shapes rejected with a GanConfigError.
//
// The pass renders into an rgba8unorm texture that the test copies back: headless
// Chromium on SwiftShader (software compositing) cannot present a WebGPU canvas,
// and getCurrentTexture() there loses every device of the page.
// ImageGridRenderer.canPresent() detects that on a throwaway device (its own page
// here); where it says yes, the grid is also drawn to a canvas and read back.
// The rendered grid is written to test-results/image-grid-render.png.
import { writeFileSync, mkdirSync } from 'node:fs';
import { PNG } from 'pngjs';
import { chromium } from '@playwright/test';
import { test, expect } from '../../test/support/fixtures.js';
import { CHROMIUM_WEBGPU_ARGS, findChromium } from '../../scripts/chromium.mjs';

test('drawSamples: a 3×4 grid of 5×7 images rendered by the GPU matches generate() pixel for pixel (±2 levels), plain and inverted, padding in its colour', async ({ gpu }) => {
  const r = await gpu.page.evaluate(async () => {
    const { lib, ctx, counts } = window.harness;
    const Z = 4, H = 5, W = 7, ROWS = 3, COLS = 4, SCALE = 3, K = 3;
    const PAD: [number, number, number] = [0.2, 0.4, 0.6]; // 51, 102, 153 in 8 bits
    const rand = (() => {
      let a = 12345;
      return () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
    })();
    const data = Float32Array.from({ length: 16 * H * W }, () => rand() * 2 - 1);
    const makeTrainer = async (classes: number) => {
      const t = await lib.GanTrainer.create(ctx, {
        generator: new lib.Sequential('generator', [lib.Linear(Z + classes, 16), lib.ReLU(), lib.Linear(16, H * W), lib.Tanh()]),
        discriminator: new lib.Sequential('discriminator', [lib.Linear(H * W + classes, 8), lib.LeakyReLU(0.2), lib.Linear(8, 1)]),
        noise: { distribution: 'normal', mean: 0, std: 1 },
        data: { kind: 'dataset', values: data, rows: 16, cols: H * W },
        ...(classes ? { condition: { classes, labels: Uint8Array.from({ length: 16 }, (_, i) => i % classes) } } : {}),
        batchSize: 4,
        optimizerD: { lr: 1e-3 },
        optimizerG: { lr: 1e-3 },
        seed: 5,
      });
      // Larger weights, so that the images span most of [−1, 1].
      const p = await t.readParameters('generator');
      t.writeParameters('generator', p.map((v) => v * 4));
      return t;
    };
    const grid = { rows: ROWS, cols: COLS, height: H, width: W, pad: 1, padColor: PAD };
    const renderer = await lib.ImageGridRenderer.create(ctx, null, { ...grid, format: 'rgba8unorm' });
    const [gw, gh] = renderer.gridSize;
    const canvas = { width: gw * SCALE, height: gh * SCALE };
    const target = ctx.device.createTexture({
      size: [canvas.width, canvas.height],
      format: 'rgba8unorm',
      usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
    });
    const rowBytes = Math.ceil((canvas.width * 4) / 256) * 256;
    const staging = ctx.device.createBuffer({ size: rowBytes * canvas.height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const noise = Float32Array.from({ length: ROWS * COLS * Z }, () => rand() * 4 - 2);

    /** The target's pixels (RGBA, tightly packed). */
    const pixels = async (): Promise<Uint8ClampedArray> => {
      const encoder = ctx.device.createCommandEncoder();
      encoder.copyTextureToBuffer({ texture: target }, { buffer: staging, bytesPerRow: rowBytes }, [canvas.width, canvas.height]);
      ctx.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const rows = new Uint8Array(staging.getMappedRange());
      const out = new Uint8ClampedArray(canvas.width * canvas.height * 4);
      for (let y = 0; y < canvas.height; y++) out.set(rows.subarray(y * rowBytes, y * rowBytes + canvas.width * 4), y * canvas.width * 4);
      staging.unmap();
      return out;
    };
    /** Every canvas pixel against generate(): cells from `images`, padding PAD. */
    const compare = (px: Uint8ClampedArray, images: Float32Array, invert: boolean) => {
      let maxDiff = 0, padPixels = 0, imagePixels = 0, bad = 0;
      let lo = 255, hi = 0;
      for (let y = 0; y < canvas.height; y++) {
        for (let x = 0; x < canvas.width; x++) {
          const gx = Math.floor(x / SCALE) - 1, gy = Math.floor(y / SCALE) - 1;
          const col = Math.floor(gx / (W + 1)), row = Math.floor(gy / (H + 1));
          const ix = gx - col * (W + 1), iy = gy - row * (H + 1);
          let want: number[];
          if (gx < 0 || gy < 0 || col >= COLS || row >= ROWS || ix >= W || iy >= H) {
            want = PAD.map((c) => c * 255);
            padPixels++;
          } else {
            const v = images[(row * COLS + col) * H * W + iy * W + ix];
            const t = Math.min(1, Math.max(0, (v + 1) / 2));
            const level = 255 * (invert ? 1 - t : t);
            want = [level, level, level];
            lo = Math.min(lo, level);
            hi = Math.max(hi, level);
            imagePixels++;
          }
          const p = 4 * (y * canvas.width + x);
          const d = Math.max(...want.map((w, c) => Math.abs(px[p + c] - w)), Math.abs(px[p + 3] - 255));
          maxDiff = Math.max(maxDiff, d);
          if (d > 2) bad++;
        }
      }
      return { maxDiff, bad, padPixels, imagePixels, lo: Math.round(lo), hi: Math.round(hi) };
    };

    const trainer = await makeTrainer(0);
    await trainer.train(2);
    const want = await trainer.generate(noise);
    await trainer.drawSamples(renderer, noise, { target });
    const plainPixels = await pixels();
    const plain = compare(plainPixels, want, false);
    renderer.setGrid({ rows: ROWS, cols: COLS, height: H, width: W, invert: true });
    await trainer.drawSamples(renderer, noise, { target });
    const inverted = compare(await pixels(), want, true);

    // Nothing is created per frame once the renderer and the sampler exist.
    const before = { ...counts };
    for (let i = 0; i < 5; i++) await trainer.drawSamples(renderer, noise, { target });
    const created = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v - before[k as keyof typeof counts]]));
    const invertedAgain = compare(await pixels(), want, true);
    trainer.dispose();

    // A conditional G: the labels reach the forward pass as in generate().
    const cond = await makeTrainer(K);
    renderer.setGrid({ rows: ROWS, cols: COLS, height: H, width: W, invert: false });
    const labels = Array.from({ length: ROWS * COLS }, (_, i) => (i * 2) % K);
    const wantCond = await cond.generate(noise, { labels });
    await cond.drawSamples(renderer, noise, { labels, target });
    const conditional = compare(await pixels(), wantCond, false);
    const defaultLabels = await cond.generate(noise);
    const labelsMatter = wantCond.some((v, i) => Math.abs(v - defaultLabels[i]) > 0.05);

    cond.dispose();
    renderer.destroy();
    target.destroy();
    staging.destroy();
    return {
      size: [canvas.width, canvas.height], plain, inverted, invertedAgain, created, conditional, labelsMatter,
      png: Array.from(plainPixels),
    };
  });
  const { png, ...summary } = r;
  console.log(JSON.stringify(summary));
  const [w, h] = r.size;
  expect(r.size).toEqual([(4 * 8 + 1) * 3, (3 * 6 + 1) * 3]);
  const image = new PNG({ width: w, height: h });
  image.data.set(png);
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/image-grid-render.png', PNG.sync.write(image));
  const checks = { plain: r.plain, inverted: r.inverted, invertedAgain: r.invertedAgain, conditional: r.conditional };
  for (const [name, c] of Object.entries(checks)) {
    expect(c.bad, `${name}: pixels off by more than 2 levels (max ${c.maxDiff})`).toBe(0);
    expect(c.imagePixels).toBe(12 * 5 * 7 * 9);
    expect(c.padPixels).toBe(99 * 57 - 12 * 5 * 7 * 9);
  }
  expect(r.plain.hi - r.plain.lo, 'the images span a good part of the gray range').toBeGreaterThan(150);
  expect(r.labelsMatter, 'labels change the conditional images').toBe(true);
  expect(Object.values(r.created).every((n) => n === 0), `created per frame: ${JSON.stringify(r.created)}`).toBe(true);
});

test('drawSamples rejects wrong shapes with a GanConfigError before any GPU work; a 2d canvas gives no renderer', async ({ gpu }) => {
  const r = await gpu.page.evaluate(async () => {
    const { lib, ctx } = window.harness;
    const Z = 4;
    const attempt = async (f: () => Promise<unknown>) => {
      try {
        await f();
        return 'no error';
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    const trainerWith = (gLayers: ConstructorParameters<typeof lib.Sequential>[1], x: number) =>
      lib.GanTrainer.create(ctx, {
        generator: new lib.Sequential('generator', gLayers),
        discriminator: new lib.Sequential('discriminator', [lib.Linear(x, 1)]),
        noise: { distribution: 'uniform', low: -1, high: 1 },
        data: { kind: 'dataset', values: new Float32Array(4 * x), rows: 4, cols: x },
        batchSize: 2,
        optimizerD: { lr: 1e-3 },
        optimizerG: { lr: 1e-3 },
      });
    // No canvas: presenting a WebGPU canvas on this headless adapter loses the shared page's device (see canPresent()).
    const renderer = await lib.ImageGridRenderer.create(ctx, null, { rows: 2, cols: 3, height: 5, width: 7, format: 'rgba8unorm' });
    const [tw, th] = renderer.gridSize;
    const target = ctx.device.createTexture({ size: [tw, th], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const noise = new Float32Array(6 * Z);
    const transposed = await trainerWith([lib.Linear(Z, 35), lib.Unflatten(1, 7, 5)], 35);
    const twoChannels = await trainerWith([lib.Linear(Z, 70), lib.Unflatten(2, 5, 7)], 70);
    const flat36 = await trainerWith([lib.Linear(Z, 36)], 36);
    const good = await trainerWith([lib.Linear(Z, 35), lib.Unflatten(1, 5, 7)], 35);
    const flat35 = await trainerWith([lib.Linear(Z, 35)], 35);
    const c2d = document.createElement('canvas');
    c2d.getContext('2d');
    const out = {
      transposed: await attempt(() => transposed.drawSamples(renderer, noise)),
      twoChannels: await attempt(() => twoChannels.drawSamples(renderer, noise)),
      flat36: await attempt(() => flat36.drawSamples(renderer, noise)),
      rows: await attempt(() => good.drawSamples(renderer, new Float32Array(5 * Z))),
      ragged: await attempt(() => good.drawSamples(renderer, new Float32Array(6 * Z + 1))),
      labels: await attempt(() => good.drawSamples(renderer, noise, { labels: [0, 0, 0, 0, 0, 0] })),
      good: await attempt(() => good.drawSamples(renderer, noise, { target })),
      flat35: await attempt(() => flat35.drawSamples(renderer, noise, { target })),
      canvas2d: await attempt(() => lib.ImageGridRenderer.create(ctx, c2d, { rows: 1, cols: 1, height: 5, width: 7 })),
      badGrid: await attempt(() => lib.ImageGridRenderer.create(ctx, null, { rows: 0, cols: 1, height: 5, width: 7 })),
    };
    for (const t of [transposed, twoChannels, flat36, good, flat35]) t.dispose();
    renderer.destroy();
    return out;
  });
  expect(r.transposed).toBe("GanConfigError: drawSamples: generator 'generator' makes (1, 7, 5) images; the renderer draws (1, 5, 7) images");
  expect(r.twoChannels).toBe("GanConfigError: drawSamples: generator 'generator' makes (2, 5, 7) images; the renderer draws (1, 5, 7) images");
  expect(r.flat36).toBe("GanConfigError: drawSamples: generator 'generator' makes flat samples of 36 values; the renderer draws (1, 5, 7) images");
  expect(r.rows).toBe('GanConfigError: drawSamples: the 2×3 grid needs 6 noise rows, got 5');
  expect(r.ragged).toMatch(/^GanConfigError: drawSamples: noise must be a non-empty Float32Array of n × 4 values/);
  expect(r.labels).toBe('GanConfigError: drawSamples: labels given, but this GAN is not conditional');
  expect(r.good).toBe('no error');
  expect(r.flat35).toBe('no error');
  expect(r.canvas2d).toMatch(/^WebGPUUnavailableError: this canvas gives no 'webgpu' context/);
  expect(r.badGrid).toBe('ConfigError: ImageGridRenderer: rows must be a positive integer, got 0');
});

test('canPresent() says whether a WebGPU canvas can be shown; a device created after it works; where it can, drawSamples fills the canvas', async ({ baseURL }) => {
  // Its own browser: where presenting fails, Chromium's GPU process loses
  // devices beyond this page (the shared test page's device was lost with it).
  const browser = await chromium.launch({ executablePath: await findChromium(), args: CHROMIUM_WEBGPU_ARGS });
  const page = await browser.newPage();
  await page.goto(`${baseURL}/test/support/harness.html`);
  await page.waitForFunction(() => window.harnessReady !== undefined, null, { timeout: 60_000 });
  const r = await page.evaluate(async () => {
    const { lib } = window.harness;
    const canPresent = await lib.ImageGridRenderer.canPresent();
    const ctx = await lib.createGpuContext();
    const Z = 3, H = 4, W = 4;
    const trainer = await lib.GanTrainer.create(ctx, {
      generator: new lib.Sequential('generator', [lib.Linear(Z, H * W), lib.Tanh()]),
      discriminator: new lib.Sequential('discriminator', [lib.Linear(H * W, 1)]),
      noise: { distribution: 'uniform', low: -1, high: 1 },
      data: { kind: 'dataset', values: new Float32Array(4 * H * W).fill(0.5), rows: 4, cols: H * W },
      batchSize: 2,
      optimizerD: { lr: 1e-3 },
      optimizerG: { lr: 1e-3 },
    });
    const noise = Float32Array.from({ length: 2 * Z }, (_, i) => Math.sin(i + 1));
    const want = await trainer.generate(noise);
    let worst: number | null = null;
    if (canPresent) {
      // 1×2 grid, no padding, canvas = grid size: pixel (x, y) of cell c is image c's pixel.
      const el = document.createElement('canvas');
      el.width = 2 * W;
      el.height = H;
      const renderer = await lib.ImageGridRenderer.create(ctx, el, { rows: 1, cols: 2, height: H, width: W, pad: 0 });
      await trainer.drawSamples(renderer, noise);
      const c2 = document.createElement('canvas');
      c2.width = el.width;
      c2.height = el.height;
      const g = c2.getContext('2d', { willReadFrequently: true })!;
      g.drawImage(el, 0, 0); // same task as the submit: the current texture has not expired
      const px = g.getImageData(0, 0, el.width, el.height).data;
      worst = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < 2 * W; x++) {
          const v = want[Math.floor(x / W) * H * W + y * W + (x % W)];
          worst = Math.max(worst, Math.abs(px[4 * (y * 2 * W + x)] - 255 * (v + 1) / 2));
        }
      }
      renderer.destroy();
    }
    trainer.dispose();
    return { canPresent, alive: !ctx.isLost && want.every(Number.isFinite), worst };
  });
  await browser.close();
  console.log(`canPresent: ${r.canPresent}${r.canPresent ? `, canvas off by at most ${r.worst} levels` : ' (no WebGPU canvas here: the canvas check is not run)'}`);
  expect(typeof r.canPresent).toBe('boolean');
  expect(r.alive, 'a device created after canPresent() works').toBe(true);
  if (r.canPresent) expect(r.worst).toBeLessThanOrEqual(2);
});
