// Image presets (mnistMlp, dcgan28, cdcgan, cdcganSmall): a grid of G on
// fixed noise, so the same latent points can be watched evolving, and a strip
// interpolating linearly between two fixed latent points. A conditional GAN
// gets one row per class (0–9), with the same noise down each column. G runs
// on the GPU (eval-mode BatchNorm) on noise chosen here: sample() would draw
// fresh noise at every refresh. Drawn into OffscreenCanvases: the grid, where
// this browser can show a WebGPU canvas, by trainer.drawSamples() (G's output
// buffer straight to the canvas by a render pass, no readback); elsewhere, and
// the strip always, from generate() read back and drawn on the CPU.
import { ImageGridRenderer, type GanTrainer, type GpuContext } from '../../src/index.js';
import type { ViewData } from '../protocol.js';
import { viewWeights, weightsText } from './d-output.js';

const GRID = 8; //    an unconditional GAN: GRID × GRID fixed noise vectors
const COLUMNS = 10; // a conditional one: one row per class, COLUMNS noise vectors
const STRIP = 10; //  interpolation steps
/** The class of the interpolation strip of a conditional GAN. */
const STRIP_CLASS = 7;
/** Canvas pixels per image pixel. */
const SCALE = 2;
/** Left margin (image pixels) for the class labels of a conditional grid. */
const LABEL_MARGIN = 12;

/** What the grid shows, for the caption and the page. */
export interface ImageLayout {
  rows: number;
  cols: number;
  /** Row r shows class r (a conditional GAN), or null. */
  classes: number | null;
}

export function imageLayout(trainer: GanTrainer): ImageLayout {
  const K = trainer.config.shapes.classes;
  return K > 0 ? { rows: K, cols: COLUMNS, classes: K } : { rows: GRID, cols: GRID, classes: null };
}

/** How the grid reaches the canvas, for the caption. */
export type GridPath = 'gpu' | 'cpu';

export function imagesCaption(layout: ImageLayout, path: GridPath = 'cpu'): string {
  const grid =
    layout.classes !== null
      ? `Top: a ${layout.rows}×${layout.cols} grid, one row per class (0–${layout.classes - 1}), each column one fixed noise ` +
        `vector shared by every class, the same at every refresh. Bottom: class ${STRIP_CLASS} along the straight line ` +
        `between two fixed noise vectors, in ${STRIP} steps.`
      : `Top: ${layout.rows}×${layout.cols} digits from the same ${layout.rows * layout.cols} fixed noise vectors at every ` +
        `refresh. Bottom: G along the straight line between two fixed noise vectors, in ${STRIP} steps.`;
  const how =
    path === 'gpu'
      ? 'The grid is drawn on the GPU: G\'s output buffer goes straight to the canvas by a render pass (drawSamples(), no readback); the strip comes from generate().'
      : 'Both are read back (generate()) and drawn on the CPU: this browser cannot show a WebGPU canvas here.';
  return `${grid} G runs on the GPU on noise chosen here (BatchNorm, if any, in eval mode). ${how}`;
}

/** Deterministic noise rows from the run's noise distribution (mulberry32 + Box–Muller), for fixed-noise views. */
export function fixedNoise(trainer: GanTrainer, rows: number, salt: number): Float32Array {
  const z = trainer.config.shapes.noise;
  const spec = trainer.config.noise;
  let a = (trainer.config.seed ^ Math.imul(salt + 1, 0x9e3779b9)) >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(rows * z);
  for (let i = 0; i < out.length; i++) {
    // Noise the host gives per batch has no distribution to draw from here: N(0, 1) stands in.
    const [mean, std] = spec.distribution === 'normal' ? [spec.mean, spec.std] : [0, 1];
    if (spec.distribution === 'uniform') out[i] = spec.low + (spec.high - spec.low) * rand();
    else out[i] = mean + std * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  }
  return out;
}

function imageSide(trainer: GanTrainer): [number, number] {
  const shape = trainer.config.generator.outputShape;
  if (shape) {
    if (shape[0] !== 1) throw new Error('ImageView needs single-channel images');
    return [shape[2], shape[1]];
  }
  const size = trainer.config.shapes.sample;
  const side = Math.round(Math.sqrt(size));
  if (side * side !== size) throw new Error('ImageView needs square single-channel images');
  return [side, side];
}

/** Grid size in image pixels: 1 px gaps and border. */
const gridSize = (rows: number, cols: number, w: number, h: number): [number, number] => [cols * (w + 1) + 1, rows * (h + 1) + 1];

/**
 * Writes `rows × cols` images (values in [−1, 1], row-major) into `canvas` at
 * SCALE, `left` image pixels from the left edge, with 1 px gaps.
 */
function drawImages(canvas: OffscreenCanvas, images: Float32Array, rows: number, cols: number, w: number, h: number, left = 0): void {
  const [W, H] = gridSize(rows, cols, w, h);
  const tile = new OffscreenCanvas(W, H);
  const tg = tile.getContext('2d');
  const g = canvas.getContext('2d');
  if (!tg || !g) throw new Error('no 2d context for the image grid');
  const img = tg.createImageData(W, H);
  img.data.fill(255);
  for (let k = 0; k < rows * cols; k++) {
    const ox = 1 + (k % cols) * (w + 1);
    const oy = 1 + Math.floor(k / cols) * (h + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = images[k * w * h + y * w + x];
        const c = Math.round(255 * (1 - Math.min(1, Math.max(0, (v + 1) / 2)))); // ink dark on white
        const p = 4 * ((oy + y) * W + ox + x);
        img.data[p] = c;
        img.data[p + 1] = c;
        img.data[p + 2] = c;
      }
    }
  }
  tg.putImageData(img, 0, 0);
  g.imageSmoothingEnabled = false;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(tile, left * SCALE, 0, W * SCALE, H * SCALE);
}

/** One renderer per canvas (the pipeline is built once), re-gridded for each trainer. */
const renderers = new WeakMap<OffscreenCanvas, Promise<ImageGridRenderer>>();

function gridRenderer(ctx: GpuContext, canvas: OffscreenCanvas, rows: number, cols: number, w: number, h: number): Promise<ImageGridRenderer> {
  const grid = { rows, cols, height: h, width: w, pad: 1, padColor: [1, 1, 1] as const, invert: true }; // ink dark on white, as the CPU path
  let r = renderers.get(canvas);
  if (!r) r = ImageGridRenderer.create(ctx, canvas, grid);
  else r = r.then((renderer) => (renderer.setGrid(grid), renderer));
  renderers.set(canvas, r);
  return r;
}

export class ImageView {
  readonly layout: ImageLayout;
  readonly caption: string;
  readonly path: GridPath;
  /** The GPU path's renderer, or null on the CPU path. */
  private readonly renderer: Promise<ImageGridRenderer> | null;
  /** Grid rows then strip rows, (n, noise). */
  private readonly noise: Float32Array;
  /** Their classes (conditional GANs), else undefined. */
  private readonly labels: Uint8Array | undefined;
  private readonly side: [number, number];
  private readonly weights: 'ema' | 'trained';

  /** `canPresent`: ImageGridRenderer.canPresent(), asked before the engine's device was made. */
  constructor(
    trainer: GanTrainer,
    private readonly grid: OffscreenCanvas,
    private readonly strip: OffscreenCanvas,
    canPresent: boolean,
  ) {
    this.side = imageSide(trainer);
    this.layout = imageLayout(trainer);
    const { rows, cols, classes } = this.layout;
    // A canvas keeps its first context: once '2d' (the CPU path), getContext('webgpu') is null for good.
    this.path = canPresent && grid.getContext('webgpu') ? 'gpu' : 'cpu';
    this.renderer = this.path === 'gpu' ? gridRenderer(trainer.ctx, grid, rows, cols, ...this.side) : null;
    this.caption = imagesCaption(this.layout, this.path) + weightsText(trainer);
    this.weights = viewWeights(trainer);
    const z = trainer.config.shapes.noise;
    const gridRows = rows * cols;
    this.noise = new Float32Array((gridRows + STRIP) * z);
    if (classes !== null) {
      // Row r is class r; column c is noise vector c in every row.
      const columns = fixedNoise(trainer, cols, 1);
      for (let r = 0; r < rows; r++) this.noise.set(columns, r * cols * z);
    } else {
      this.noise.set(fixedNoise(trainer, gridRows, 1));
    }
    const ends = fixedNoise(trainer, 2, 2);
    for (let s = 0; s < STRIP; s++) {
      const t = s / (STRIP - 1);
      for (let i = 0; i < z; i++) this.noise[(gridRows + s) * z + i] = (1 - t) * ends[i] + t * ends[z + i];
    }
    this.labels =
      classes !== null
        ? Uint8Array.from({ length: gridRows + STRIP }, (_, k) => (k < gridRows ? Math.floor(k / cols) : STRIP_CLASS % classes))
        : undefined;

    // Canvas sizes at a whole SCALE (the page scales them down with CSS).
    const [w, h] = this.side;
    const [W, H] = gridSize(rows, cols, w, h);
    // The GPU path has no class labels (no 2d context on a WebGPU canvas): row r is class r.
    const left = classes !== null && this.path === 'cpu' ? LABEL_MARGIN : 0;
    this.grid.width = (W + left) * SCALE;
    this.grid.height = H * SCALE;
    const [SW, SH] = gridSize(1, STRIP, w, h);
    this.strip.width = SW * SCALE;
    this.strip.height = SH * SCALE;
  }

  async refresh(trainer: GanTrainer): Promise<ViewData> {
    const step = trainer.step;
    const [w, h] = this.side;
    const { rows, cols, classes } = this.layout;
    if (this.renderer) {
      await this.redraw(trainer);
      const z = trainer.config.shapes.noise;
      const labels = this.labels?.subarray(rows * cols);
      const strip = await trainer.generate(this.noise.subarray(rows * cols * z), { weights: this.weights, ...(labels ? { labels } : {}) });
      drawImages(this.strip, strip, 1, STRIP, w, h);
      return { kind: 'images', step, rows, cols, note: `Generator at step ${step.toLocaleString('en-US')}.` };
    }
    const out = await trainer.generate(this.noise, { weights: this.weights, ...(this.labels ? { labels: this.labels } : {}) });
    const left = classes !== null ? LABEL_MARGIN : 0;
    drawImages(this.grid, out, rows, cols, w, h, left);
    if (classes !== null) this.drawClassLabels(h);
    drawImages(this.strip, out.subarray(rows * cols * w * h), 1, STRIP, w, h);
    return { kind: 'images', step, rows, cols, note: `Generator at step ${step.toLocaleString('en-US')}.` };
  }

  /**
   * GPU path: draws the grid again (G's forward and the render pass in one
   * submit). A WebGPU canvas can be copied (convertToBlob) only in the task
   * that drew it, so the PNG download calls this first. No-op on the CPU path.
   */
  async redraw(trainer: GanTrainer): Promise<void> {
    if (!this.renderer) return;
    const { rows, cols } = this.layout;
    const z = trainer.config.shapes.noise;
    const labels = this.labels?.subarray(0, rows * cols);
    await trainer.drawSamples(await this.renderer, this.noise.subarray(0, rows * cols * z), { weights: this.weights, ...(labels ? { labels } : {}) });
  }

  private drawClassLabels(h: number): void {
    const g = this.grid.getContext('2d');
    if (!g) return;
    g.fillStyle = '#475569';
    g.font = `bold ${Math.round(h * 0.5 * SCALE)}px system-ui, sans-serif`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    for (let r = 0; r < this.layout.rows; r++) {
      g.fillText(String(r), (LABEL_MARGIN / 2) * SCALE, (1 + r * (h + 1) + h / 2) * SCALE);
    }
  }
}
