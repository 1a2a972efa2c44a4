// Image presets (mnistMlp): an 8×8 grid of G on fixed noise, so the same
// 64 latent points can be watched evolving, and a strip interpolating
// linearly between two fixed latent points. Drawn into OffscreenCanvases.
import type { GanTrainer } from '../../src/index.js';
import type { ViewData } from '../protocol.js';
import { CPU_GENERATOR_NOTE, fixedNoise, generateOnCpu } from './cpu-generator.js';

const GRID = 8;
const STRIP = 10;

export const IMAGES_CAPTION =
  `Top: ${GRID}×${GRID} digits from the same ${GRID * GRID} fixed noise vectors at every refresh. ` +
  `Bottom: G along the straight line between two fixed noise vectors, in ${STRIP} steps. ` +
  `(${CPU_GENERATOR_NOTE}: sample() draws its own noise.)`;

function imageSide(trainer: GanTrainer): [number, number] {
  const shape = trainer.config.generator.outputShape;
  if (shape) return [shape[2], shape[1]];
  const side = Math.round(Math.sqrt(trainer.config.generator.outputSize));
  if (side * side !== trainer.config.generator.outputSize) throw new Error('ImageView needs square single-channel images');
  return [side, side];
}

/** Writes `count` images (values in [−1, 1]) into `canvas` as a cols-wide grid with 1 px gaps. */
function drawImages(canvas: OffscreenCanvas, images: Float64Array, count: number, cols: number, w: number, h: number): void {
  const rows = Math.ceil(count / cols);
  const W = cols * (w + 1) + 1;
  const H = rows * (h + 1) + 1;
  const tile = new OffscreenCanvas(W, H);
  const tg = tile.getContext('2d');
  const g = canvas.getContext('2d');
  if (!tg || !g) throw new Error('no 2d context for the image grid');
  const img = tg.createImageData(W, H);
  img.data.fill(255);
  for (let k = 0; k < count; k++) {
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
  const scale = Math.min(canvas.width / W, canvas.height / H);
  g.drawImage(tile, 0, 0, W * scale, H * scale);
}

export class ImageView {
  private readonly gridNoise: Float64Array;
  private readonly stripNoise: Float64Array;

  constructor(
    trainer: GanTrainer,
    private readonly grid: OffscreenCanvas,
    private readonly strip: OffscreenCanvas,
  ) {
    imageSide(trainer);
    const z = trainer.config.generator.inputSize;
    this.gridNoise = fixedNoise(trainer, GRID * GRID, 1);
    const ends = fixedNoise(trainer, 2, 2);
    this.stripNoise = new Float64Array(STRIP * z);
    for (let s = 0; s < STRIP; s++) {
      const t = s / (STRIP - 1);
      for (let i = 0; i < z; i++) this.stripNoise[s * z + i] = (1 - t) * ends[i] + t * ends[z + i];
    }
  }

  async refresh(trainer: GanTrainer): Promise<ViewData> {
    const step = trainer.step;
    const [w, h] = imageSide(trainer);
    const both = new Float64Array(this.gridNoise.length + this.stripNoise.length);
    both.set(this.gridNoise);
    both.set(this.stripNoise, this.gridNoise.length);
    const out = await generateOnCpu(trainer, both);
    drawImages(this.grid, out, GRID * GRID, GRID, w, h);
    drawImages(this.strip, out.subarray(GRID * GRID * w * h), STRIP, STRIP, w, h);
    return { kind: 'images', step, note: `Generator at step ${step.toLocaleString('en-US')}.` };
  }
}
