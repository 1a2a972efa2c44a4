// 2-D presets, GAN Lab style, drawn into an OffscreenCanvas: D's decision
// surface as a heatmap (discriminate() on a grid), real and generated points
// (the dataset; sample()), arrows at generated points along ∇ log D(x) (the
// direction G's non-saturating loss pushes them; central differences of
// discriminate()), and G's manifold (a grid in noise space mapped through G
// with generate()).
// KL / JS histogram estimates between real and generated go to the page.
import type { GanTrainer } from '../../src/index.js';
import { TOY2D_EXTENT } from '../../src/data/toy2d.js';
import type { ViewData } from '../protocol.js';
import { dOutputInfo, viewWeights, weightsText, type DOutputInfo } from './d-output.js';
import { divergences } from './plane-stats.js';

const E = TOY2D_EXTENT;
const HEAT = 60; //        heatmap cells per side
const SAMPLES = 2000; //   generated points per refresh (all used for KL/JS; DRAWN drawn)
const DRAWN = 800;
const ARROWS = 120;
const H = 0.04; //         central-difference step
const MANIFOLD = 21; //    noise grid lines per side

/** The caption: what the background, dots, arrows and mesh are, for this trainer's loss. */
export function planeCaption(trainer: GanTrainer): string {
  const info = dOutputInfo(trainer);
  const background =
    info.output === 'logit'
      ? `Background: D(x), the discriminator's probability that x is real (σ of its logit), from discriminate() on a ${HEAT}×${HEAT} grid ` +
        `(teal: real, orange: fake, white: 0.5; the key is in the corner).`
      : `Background: D(x), the critic's score (higher = more real) under the ${info.title} loss, from discriminate() on a ${HEAT}×${HEAT} grid. ` +
        `A score is unbounded, so the colours are scaled to the grid's range at each refresh (the key is in the corner): ` +
        `teal above, orange below, white at ${info.neutralText}.`;
  return (
    `${background} Teal dots: real data; orange dots: ${DRAWN} of ${SAMPLES} fresh sample()s. ` +
    `Arrows: where G's loss pushes ${ARROWS} generated points, −∇ of ${info.gLossText} (central differences of ` +
    `discriminate(), step ${H}). Purple mesh: G's manifold, a ${MANIFOLD}×${MANIFOLD} grid in noise space mapped ` +
    `through G on the GPU (generate(), which takes the noise rows we choose).${weightsText(trainer)}`
  );
}

const px = (v: number, size: number): number => ((v + E) / (2 * E)) * size;
const py = (v: number, size: number): number => size - ((v + E) / (2 * E)) * size;

const TEAL = [15, 118, 110] as const;
const ORANGE = [234, 88, 12] as const;

/** t in [−1, 1]: −1 → orange, 0 → white, 1 → teal; pale so points stay visible. */
function heatColor(t: number): [number, number, number] {
  const c = Math.max(-1, Math.min(1, t));
  const target = c >= 0 ? TEAL : ORANGE;
  const a = Math.abs(c) * 0.55;
  return [255 + (target[0] - 255) * a, 255 + (target[1] - 255) * a, 255 + (target[2] - 255) * a];
}

/** How D's outputs on the grid map to colours: white at `mid`, full colour at mid ± half. */
interface HeatScale {
  mid: number;
  half: number;
}

function heatScale(info: DOutputInfo, grid: Float32Array): HeatScale {
  if (info.output === 'logit') return { mid: 0.5, half: 0.5 };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of grid) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(lo <= hi)) return { mid: info.neutral ?? 0, half: 1 };
  const mid = info.neutral ?? (lo + hi) / 2;
  return { mid, half: Math.max(1e-6, Math.abs(hi - mid), Math.abs(lo - mid)) };
}

/** A value for the colour key: few digits. */
function keyNumber(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(a >= 1 ? 3 : 2)));
}

export class PlaneView {
  readonly caption: string;
  private readonly info: DOutputInfo;
  private readonly weights: 'ema' | 'trained';
  private readonly g: OffscreenCanvasRenderingContext2D;
  private readonly probes: Float32Array;
  private readonly realShown: Float32Array;
  private readonly realForStats: Float32Array;
  private readonly heat: OffscreenCanvas;

  constructor(
    trainer: GanTrainer,
    private readonly canvas: OffscreenCanvas,
  ) {
    const g = canvas.getContext('2d');
    if (!g) throw new Error('no 2d context on the plane canvas');
    this.g = g;
    this.info = dOutputInfo(trainer);
    this.weights = viewWeights(trainer);
    this.caption = planeCaption(trainer);
    const data = trainer.config.data;
    if (data.kind !== 'dataset' || data.cols !== 2) throw new Error('PlaneView needs a 2-D dataset');
    this.realShown = data.values.subarray(0, 2 * Math.min(DRAWN, data.rows));
    this.realForStats = data.values.subarray(0, 2 * Math.min(SAMPLES, data.rows));
    // Grid cell centres, then (filled per refresh) 4 probes per arrow.
    this.probes = new Float32Array(2 * (HEAT * HEAT + 4 * ARROWS));
    for (let j = 0; j < HEAT; j++) {
      for (let i = 0; i < HEAT; i++) {
        const k = 2 * (j * HEAT + i);
        this.probes[k] = -E + ((i + 0.5) * 2 * E) / HEAT;
        this.probes[k + 1] = E - ((j + 0.5) * 2 * E) / HEAT;
      }
    }
    this.heat = new OffscreenCanvas(HEAT, HEAT);
  }

  async refresh(trainer: GanTrainer): Promise<ViewData> {
    const step = trainer.step;
    const gen = await trainer.sample(SAMPLES, { weights: this.weights });
    const base = 2 * HEAT * HEAT;
    for (let a = 0; a < ARROWS; a++) {
      const x = gen[2 * a];
      const y = gen[2 * a + 1];
      this.probes.set([x + H, y, x - H, y, x, y + H, x, y - H], base + 8 * a);
    }
    const d = await trainer.discriminate(this.probes);
    const manifold = await this.manifold(trainer);
    const scale = heatScale(this.info, d.subarray(0, HEAT * HEAT));
    this.draw(d, gen, manifold, scale);
    const { kl, js } = divergences(this.realForStats, gen);
    const range =
      this.info.output === 'score'
        ? ` Heatmap: critic scores from ${keyNumber(scale.mid - scale.half)} (orange) to ${keyNumber(scale.mid + scale.half)} (teal), white at ${keyNumber(scale.mid)}.`
        : '';
    return {
      kind: 'plane',
      step,
      kl,
      js,
      note: `Histogram estimates (32×32 bins over [−${E}, ${E}]², smoothed) between ${SAMPLES} real and ${SAMPLES} generated points.${range}`,
    };
  }

  private async manifold(trainer: GanTrainer): Promise<Float32Array | null> {
    const c = trainer.config;
    if (c.shapes.noise !== 2 || c.shapes.classes !== 0) return null;
    const n = c.noise;
    if (n.distribution !== 'uniform' && n.distribution !== 'normal') return null;
    const [lo, hi] = n.distribution === 'uniform' ? [n.low, n.high] : [n.mean - 2.5 * n.std, n.mean + 2.5 * n.std];
    const z = new Float32Array(2 * MANIFOLD * MANIFOLD);
    for (let j = 0; j < MANIFOLD; j++) {
      for (let i = 0; i < MANIFOLD; i++) {
        z[2 * (j * MANIFOLD + i)] = lo + ((hi - lo) * i) / (MANIFOLD - 1);
        z[2 * (j * MANIFOLD + i) + 1] = lo + ((hi - lo) * j) / (MANIFOLD - 1);
      }
    }
    return trainer.generate(z, { weights: this.weights });
  }

  private draw(d: Float32Array, gen: Float32Array, manifold: Float32Array | null, scale: HeatScale): void {
    const g = this.g;
    const W = this.canvas.width;
    const S = this.canvas.height;
    // Heatmap: one pixel per cell on a small canvas, scaled up smoothly.
    const hg = this.heat.getContext('2d');
    if (!hg) throw new Error('no 2d context on the heatmap canvas');
    const img = hg.createImageData(HEAT, HEAT);
    for (let k = 0; k < HEAT * HEAT; k++) {
      const [r, gr, b] = heatColor((d[k] - scale.mid) / scale.half);
      img.data.set([r, gr, b, 255], 4 * k);
    }
    hg.putImageData(img, 0, 0);
    g.imageSmoothingEnabled = true;
    g.drawImage(this.heat, 0, 0, W, S);

    // Axes: grid lines at integers.
    g.strokeStyle = 'rgba(71, 85, 105, 0.18)';
    g.lineWidth = 1;
    for (let v = -E; v <= E; v++) {
      g.beginPath();
      g.moveTo(px(v, W), 0);
      g.lineTo(px(v, W), S);
      g.moveTo(0, py(v, S));
      g.lineTo(W, py(v, S));
      g.stroke();
    }

    if (manifold) {
      g.strokeStyle = 'rgba(109, 40, 217, 0.28)';
      g.lineWidth = 1;
      const at = (i: number, j: number): [number, number] => {
        const k = 2 * (j * MANIFOLD + i);
        return [px(manifold[k], W), py(manifold[k + 1], S)];
      };
      for (let j = 0; j < MANIFOLD; j++) {
        for (const horizontal of [true, false]) {
          g.beginPath();
          for (let i = 0; i < MANIFOLD; i++) {
            const [x, y] = horizontal ? at(i, j) : at(j, i);
            if (i === 0) g.moveTo(x, y);
            else g.lineTo(x, y);
          }
          g.stroke();
        }
      }
    }

    const dots = (values: ArrayLike<number>, count: number, color: string) => {
      g.fillStyle = color;
      for (let i = 0; i < count; i++) g.fillRect(px(values[2 * i], W) - 1.5, py(values[2 * i + 1], S) - 1.5, 3, 3);
    };
    dots(this.realShown, this.realShown.length / 2, 'rgba(15, 118, 110, 0.75)');
    dots(gen, Math.min(DRAWN, gen.length / 2), 'rgba(234, 88, 12, 0.8)');

    // Arrows along −∇ of G's loss, scaled so the longest is 28 px.
    const base = HEAT * HEAT;
    const grads: [number, number][] = [];
    let longest = 1e-12;
    const gain = (k: number) => -this.info.gLoss(d[base + k]);
    for (let a = 0; a < ARROWS; a++) {
      const gx = (gain(4 * a) - gain(4 * a + 1)) / (2 * H);
      const gy = (gain(4 * a + 2) - gain(4 * a + 3)) / (2 * H);
      grads.push([gx, gy]);
      longest = Math.max(longest, Math.hypot(gx, gy));
    }
    g.strokeStyle = 'rgba(30, 27, 75, 0.75)';
    g.lineWidth = 1.2;
    for (let a = 0; a < ARROWS; a++) {
      const x0 = px(gen[2 * a], W);
      const y0 = py(gen[2 * a + 1], S);
      const [gx, gy] = grads[a];
      const len = (28 * Math.hypot(gx, gy)) / longest;
      if (!(len > 1.5)) continue;
      const ang = Math.atan2(-gy, gx);
      const x1 = x0 + len * Math.cos(ang);
      const y1 = y0 + len * Math.sin(ang);
      g.beginPath();
      g.moveTo(x0, y0);
      g.lineTo(x1, y1);
      g.lineTo(x1 - 4 * Math.cos(ang - 0.5), y1 - 4 * Math.sin(ang - 0.5));
      g.moveTo(x1, y1);
      g.lineTo(x1 - 4 * Math.cos(ang + 0.5), y1 - 4 * Math.sin(ang + 0.5));
      g.stroke();
    }
    this.drawKey(scale);
  }

  /** The colour key in the top-left corner: what the background's colours stand for (in the PNG too). */
  private drawKey(scale: HeatScale): void {
    const g = this.g;
    const x = 8;
    const y = 8;
    const bar = 150;
    const title = this.info.output === 'logit' ? 'D(x): probability of real' : 'D(x): critic score (higher = more real)';
    g.font = '600 11px system-ui, sans-serif';
    const w = Math.max(bar + 24, Math.ceil(g.measureText(title).width) + 14);
    g.fillStyle = 'rgba(255, 255, 255, 0.88)';
    g.strokeStyle = 'rgba(71, 85, 105, 0.35)';
    g.lineWidth = 1;
    g.fillRect(x, y, w, 50);
    g.strokeRect(x + 0.5, y + 0.5, w - 1, 49);
    g.fillStyle = '#1f2937';
    g.textBaseline = 'top';
    g.textAlign = 'left';
    g.fillText(title, x + 7, y + 5);
    const bx = x + (w - bar) / 2;
    for (let i = 0; i < bar; i++) {
      const [r, gr, b] = heatColor((2 * i) / (bar - 1) - 1);
      g.fillStyle = `rgb(${r}, ${gr}, ${b})`;
      g.fillRect(bx + i, y + 20, 1, 10);
    }
    g.strokeStyle = 'rgba(71, 85, 105, 0.5)';
    g.strokeRect(bx - 0.5, y + 19.5, bar + 1, 11);
    g.fillStyle = '#475569';
    g.font = '10px system-ui, sans-serif';
    const label = (v: number, at: number, align: CanvasTextAlign) => {
      g.textAlign = align;
      g.fillText(keyNumber(v), at, y + 34);
    };
    label(scale.mid - scale.half, bx, 'left');
    label(scale.mid, bx + bar / 2, 'center');
    label(scale.mid + scale.half, bx + bar, 'right');
  }
}
