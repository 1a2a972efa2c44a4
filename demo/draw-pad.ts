// The `drawn` preset's input: strokes drawn with the mouse (or touch) on a
// canvas over the 2-D view, kept in data coordinates [−extent, extent]².
import type { Strokes } from '../src/data/toy2d.js';

type Point = [number, number];

export class DrawPad {
  private strokes: Point[][] = [];
  private current: Point[] | null = null;
  /** The strokes are a preset's example: the user's first stroke replaces them. */
  private example = false;
  private readonly g: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly extent: number,
    private readonly onChange: (strokes: Strokes) => void,
  ) {
    const g = canvas.getContext('2d');
    if (!g) throw new Error('no 2d context on the drawing canvas');
    this.g = g;
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.current = [this.toData(e)];
      if (this.example) this.strokes = [];
      this.example = false;
      this.strokes.push(this.current);
      this.redraw();
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.current) return;
      const p = this.toData(e);
      const last = this.current[this.current.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) < 0.03) return;
      this.current.push(p);
      this.redraw();
    });
    const end = () => {
      if (!this.current) return;
      this.current = null;
      this.onChange(this.strokes);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  /** Still the preset's example drawing (nothing drawn yet). */
  get isExample(): boolean {
    return this.example;
  }

  get value(): Strokes {
    return this.strokes;
  }

  /** Drawing on or off: off, the pad shows the strokes faintly and lets the view underneath be looked at. */
  set active(on: boolean) {
    this.canvas.classList.toggle('drawing', on);
    this.redraw();
  }

  /** Shows `strokes`; an `example` is replaced by the next stroke drawn rather than added to. */
  set(strokes: Strokes, example = false): void {
    this.example = example;
    this.strokes = strokes.map((s) => s.map((p): Point => [p[0], p[1]]));
    this.redraw();
  }

  clear(): void {
    this.example = false;
    this.strokes = [];
    this.redraw();
    this.onChange(this.strokes);
  }

  private toData(e: PointerEvent): Point {
    const r = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * 2 * this.extent - this.extent;
    const y = this.extent - ((e.clientY - r.top) / r.height) * 2 * this.extent;
    return [x, y];
  }

  private redraw(): void {
    const { width: W, height: H } = this.canvas;
    const g = this.g;
    g.clearRect(0, 0, W, H);
    this.canvas.dataset.strokes = String(this.strokes.length);
    const drawing = this.canvas.classList.contains('drawing');
    g.strokeStyle = drawing ? 'rgba(15, 23, 42, 0.85)' : 'rgba(15, 23, 42, 0.25)';
    g.fillStyle = g.strokeStyle;
    g.lineWidth = drawing ? 3 : 2;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    const px = (p: Point): [number, number] => [((p[0] + this.extent) / (2 * this.extent)) * W, ((this.extent - p[1]) / (2 * this.extent)) * H];
    for (const s of this.strokes) {
      g.beginPath();
      s.forEach((p, i) => {
        const [x, y] = px(p);
        if (i === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      });
      if (s.length === 1) {
        const [x, y] = px(s[0]);
        g.arc(x, y, 3, 0, 2 * Math.PI);
        g.fill();
      } else g.stroke();
    }
  }
}
