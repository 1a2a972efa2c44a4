// Draws a grid of grayscale images from a GPU buffer into a canvas with a
// render pass (shaders/image_grid.wgsl): no readback, no CPU pixels. Built
// once per canvas (pipeline, explicit bind group layout, uniform buffer, a
// bind group per source buffer); a frame allocates only the canvas's current
// texture view. GanTrainer.drawSamples() records G's forward and this pass
// into one command buffer. It can also draw into a texture of yours (no
// canvas), and canPresent() says whether this browser can show a WebGPU
// canvas at all (headless Chromium on SwiftShader cannot: see there). It
// implements the trainer's ImageGridTarget.
import { WgslReflect } from 'wgsl_reflect';
import type { GpuContext } from '../runtime/device.js';
import { ConfigError, WebGPUUnavailableError } from '../runtime/errors.js';
import { packUniforms, uniformLayout, type UniformLayout } from '../runtime/kernel.js';
import imageGridSource from '../shaders/image_grid.wgsl';

/** The grid: `rows × cols` images of `height × width` pixels. */
export interface ImageGridLayout {
  rows: number;
  cols: number;
  height: number;
  width: number;
  /** Grid pixels between cells and around the grid (default 1). */
  pad?: number;
}

export interface ImageGridOptions extends ImageGridLayout {
  /** Padding colour, RGB in [0, 1] (default white). */
  padColor?: readonly [number, number, number];
  /** Ink dark on light: v = 1 is black, v = −1 white (default false: v = −1 black, v = 1 white). */
  invert?: boolean;
  /** Canvas texture format (default navigator.gpu.getPreferredCanvasFormat()). Values are written as is: use a non-sRGB format. */
  format?: GPUTextureFormat;
}

type AnyCanvas = HTMLCanvasElement | OffscreenCanvas;

let reflected: UniformLayout | null = null;
function paramsLayout(): UniformLayout {
  if (!reflected) {
    const u = new WgslReflect(imageGridSource).uniforms.find((v) => v.name === 'params');
    if (!u) throw new Error('image_grid.wgsl: no uniform `params`');
    reflected = uniformLayout(u);
  }
  return reflected;
}

function preferredFormat(ctx: GpuContext): GPUTextureFormat {
  const gpu = typeof navigator !== 'undefined' && navigator.gpu ? navigator.gpu : ctx.gpu;
  return gpu ? gpu.getPreferredCanvasFormat() : 'bgra8unorm';
}

export class ImageGridRenderer {
  readonly device: GPUDevice;
  readonly format: GPUTextureFormat;
  private grid: Required<ImageGridLayout>;
  private padColor: readonly [number, number, number];
  private invert: boolean;
  private canvasSize: [number, number] = [0, 0];
  private readonly bindGroups = new WeakMap<GPUBuffer, GPUBindGroup>();
  private destroyed = false;

  private constructor(
    readonly ctx: GpuContext,
    readonly canvas: AnyCanvas | null,
    private readonly context: GPUCanvasContext | null,
    options: ImageGridOptions,
    format: GPUTextureFormat,
    private readonly layout: GPUBindGroupLayout,
    private readonly pipeline: GPURenderPipeline,
    private readonly uniforms: GPUBuffer,
  ) {
    this.device = ctx.device;
    this.format = format;
    this.grid = checkLayout(options);
    this.padColor = options.padColor ?? [1, 1, 1];
    this.invert = options.invert ?? false;
  }

  /**
   * Configures `canvas` for WebGPU on ctx's device and builds the pipeline.
   * Throws WebGPUUnavailableError when the canvas gives no 'webgpu' context
   * (it already has a 2d one, or the platform cannot present WebGPU there).
   * With `canvas` null, encode() draws into a texture you pass (format: options.format).
   */
  static async create(ctx: GpuContext, canvas: AnyCanvas | null, options: ImageGridOptions): Promise<ImageGridRenderer> {
    checkLayout(options);
    const context = canvas ? (canvas.getContext('webgpu') as GPUCanvasContext | null) : null;
    if (canvas && !context) throw new WebGPUUnavailableError("this canvas gives no 'webgpu' context (it may already have a 2d one)");
    const { device } = ctx;
    const format = options.format ?? preferredFormat(ctx);
    context?.configure({ device, format, alphaMode: 'opaque' });
    const module = device.createShaderModule({ label: 'image_grid', code: imageGridSource });
    const layout = device.createBindGroupLayout({
      label: 'image_grid',
      entries: [
        { binding: 0, visibility: GPUShaderStage.FRAGMENT, buffer: { type: 'uniform' } },
        { binding: 1, visibility: GPUShaderStage.FRAGMENT, buffer: { type: 'read-only-storage' } },
      ],
    });
    const pipeline = await device.createRenderPipelineAsync({
      label: 'image_grid',
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      vertex: { module, entryPoint: 'vs_main' },
      fragment: { module, entryPoint: 'fs_main', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    const uniforms = device.createBuffer({
      label: 'image_grid.params',
      size: paramsLayout().size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    return new ImageGridRenderer(ctx, canvas, context, options, format, layout, pipeline, uniforms);
  }

  get rows(): number {
    return this.grid.rows;
  }
  get cols(): number {
    return this.grid.cols;
  }
  get height(): number {
    return this.grid.height;
  }
  get width(): number {
    return this.grid.width;
  }
  get pad(): number {
    return this.grid.pad;
  }

  /** The grid's size in pixels; a canvas a whole multiple of it shows each image pixel as a square. */
  get gridSize(): [number, number] {
    const { rows, cols, height, width, pad } = this.grid;
    return [cols * (width + pad) + pad, rows * (height + pad) + pad];
  }

  /** Changes the grid (and optionally the colours); takes effect from the next encode(). */
  setGrid(options: ImageGridLayout & Pick<ImageGridOptions, 'padColor' | 'invert'>): void {
    this.grid = checkLayout(options);
    if (options.padColor) this.padColor = options.padColor;
    if (options.invert !== undefined) this.invert = options.invert;
    this.canvasSize = [0, 0]; // rewrite the uniforms at the next encode
  }

  /**
   * Whether this browser can show a WebGPU canvas: a throwaway device draws
   * into a 2 × 2 OffscreenCanvas, which must read back and leave the device
   * alive. Headless Chromium with software compositing (SwiftShader) fails
   * it: there getCurrentTexture() destroys the device, or the canvas stays blank.
   * Call it BEFORE creating the devices you keep (createGpuContext): where it
   * fails, Chromium loses every device of this page or worker, not only its own.
   */
  static async canPresent(gpu: GPU | undefined = typeof navigator !== 'undefined' ? navigator.gpu : undefined): Promise<boolean> {
    if (!gpu || typeof OffscreenCanvas === 'undefined') return false;
    let device: GPUDevice | null = null;
    try {
      const adapter = await gpu.requestAdapter();
      if (!adapter) return false;
      device = await adapter.requestDevice({ label: 'image_grid.canPresent' });
      let lost = false;
      void device.lost.then(() => (lost = true));
      const canvas = new OffscreenCanvas(2, 2);
      const context = canvas.getContext('webgpu') as GPUCanvasContext | null;
      if (!context) return false;
      context.configure({ device, format: gpu.getPreferredCanvasFormat(), alphaMode: 'opaque' });
      const encoder = device.createCommandEncoder();
      const view = context.getCurrentTexture().createView();
      const clearValue = { r: 0, g: 1, b: 0, a: 1 };
      encoder.beginRenderPass({ colorAttachments: [{ view, loadOp: 'clear', clearValue, storeOp: 'store' }] }).end();
      device.queue.submit([encoder.finish()]);
      // Read in the same task: the current texture has not expired yet.
      const g = new OffscreenCanvas(2, 2).getContext('2d');
      if (!g) return false;
      g.drawImage(canvas, 0, 0);
      const [r, gr, b, a] = g.getImageData(1, 1, 1, 1).data;
      await device.queue.onSubmittedWorkDone();
      return !lost && r < 8 && gr > 247 && b < 8 && a === 255;
    } catch {
      return false;
    } finally {
      device?.destroy();
    }
  }

  /**
   * Records the render pass that draws `images` (rows · cols images of
   * height · width floats, row-major) over the whole canvas, or over `target`
   * (a texture of this renderer's format with RENDER_ATTACHMENT usage). The
   * uniforms are written (queue.writeBuffer) only when the grid or the target size changed.
   */
  encode(encoder: GPUCommandEncoder, images: GPUBuffer, target?: GPUTexture): void {
    if (this.destroyed) throw new ConfigError('this ImageGridRenderer was destroyed');
    const { rows, cols, height, width } = this.grid;
    const bytes = rows * cols * height * width * 4;
    if (images.size < bytes) {
      throw new ConfigError(`ImageGridRenderer: a ${rows}×${cols} grid of ${height}×${width} images needs ${bytes} bytes, the buffer has ${images.size}`);
    }
    if (target && target.format !== this.format) {
      throw new ConfigError(`ImageGridRenderer: the target is ${target.format}, the pipeline renders ${this.format}`);
    }
    if (!target && !this.context) throw new ConfigError('ImageGridRenderer: no canvas, so encode() needs a target texture');
    const texture = target ?? (this.context as GPUCanvasContext).getCurrentTexture();
    if (texture.width !== this.canvasSize[0] || texture.height !== this.canvasSize[1]) {
      this.canvasSize = [texture.width, texture.height];
      this.writeUniforms();
    }
    let bindGroup = this.bindGroups.get(images);
    if (!bindGroup) {
      bindGroup = this.device.createBindGroup({
        label: `image_grid(${images.label})`,
        layout: this.layout,
        entries: [
          { binding: 0, resource: { buffer: this.uniforms } },
          { binding: 1, resource: { buffer: images } },
        ],
      });
      this.bindGroups.set(images, bindGroup);
    }
    const [r, g, b] = this.padColor;
    const pass = encoder.beginRenderPass({
      label: 'image_grid',
      colorAttachments: [{ view: texture.createView(), loadOp: 'clear', clearValue: { r, g, b, a: 1 }, storeOp: 'store' }],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.draw(3);
    pass.end();
  }

  /** Frees the uniform buffer and unconfigures the canvas. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniforms.destroy();
    this.context?.unconfigure();
  }

  private writeUniforms(): void {
    const { rows, cols, height, width, pad } = this.grid;
    const [r, g, b] = this.padColor;
    const values = {
      rows,
      cols,
      height,
      width,
      pad,
      canvas_width: this.canvasSize[0],
      canvas_height: this.canvasSize[1],
      invert: this.invert ? 1 : 0,
      pad_r: r,
      pad_g: g,
      pad_b: b,
    };
    this.device.queue.writeBuffer(this.uniforms, 0, packUniforms(paramsLayout(), values, 'image_grid'));
  }
}

function checkLayout(o: ImageGridLayout): Required<ImageGridLayout> {
  const grid = { rows: o.rows, cols: o.cols, height: o.height, width: o.width, pad: o.pad ?? 1 };
  for (const [k, v] of Object.entries(grid)) {
    if (!Number.isInteger(v) || v < (k === 'pad' ? 0 : 1)) {
      throw new ConfigError(`ImageGridRenderer: ${k} must be a${k === 'pad' ? ' non-negative' : ' positive'} integer, got ${v}`);
    }
  }
  return grid;
}
