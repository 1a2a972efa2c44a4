// Noise and real batches that the host gives per update (NoiseSpec /
// DataSpec 'host'). Each stream has a ring of HOST_RING_SLOTS steps on the
// GPU: before a command buffer is submitted, the trainer asks the callbacks
// for every batch of its steps and writes them to slot (step mod slots) with
// one writeBuffer; the recorded step copies its slot where the plan reads it
// (host_batch.wgsl), keyed by the GPU's step counter. Queue order makes the
// writes land after the work already submitted, so no slot is overwritten
// while a step still reads it.
import { createStorageBuffer, writeArray } from '../../runtime/buffers.js';
import type { KernelRegistry } from '../../runtime/kernel.js';
import type { SequenceBuilder } from '../../runtime/recorder.js';
import { hostBatchKernels } from '../../shaders/index.js';
import type { KernelRef } from '../layers/layer.js';
import { GanConfigError, shown, type HostBatch, type ResolvedGanConfig } from './config.js';

/** Steps one ring holds: a host-fed trainer submits at most this many per command buffer. */
export const HOST_RING_SLOTS = 64;

export const hostBatchKernelRefs = (): KernelRef[] => [{ family: hostBatchKernels, entry: 'copy_host_batch' }];

/** One stream: `draws` batches of (rows, cols) per step. */
class HostRing {
  readonly ring: GPUBuffer; // (HOST_RING_SLOTS, draws, rows, cols)
  private readonly staging: Float32Array;

  constructor(
    device: GPUDevice,
    readonly what: string,
    readonly next: HostBatch,
    readonly draws: number,
    readonly rows: number,
    readonly cols: number,
  ) {
    this.ring = createStorageBuffer(device, `host_${what}`, HOST_RING_SLOTS * draws * rows * cols);
    this.staging = new Float32Array(draws * rows * cols);
  }

  /** Asks for step `step`'s batches and writes them to its slot; GanConfigError when a callback returns the wrong thing. */
  write(queue: GPUQueue, step: number): void {
    const size = this.rows * this.cols;
    for (let update = 0; update < this.draws; update++) {
      const batch = this.next({ step, update, rows: this.rows, cols: this.cols });
      if (!(batch instanceof Float32Array) || batch.length !== size) {
        throw new GanConfigError(`host ${this.what}: next() must return a Float32Array of ${this.rows} × ${this.cols} = ${size} values, got ${shown(batch)}`);
      }
      const bad = batch.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new GanConfigError(`host ${this.what}: next() at step ${step}, update ${update} returned ${batch[bad]} at ${bad}, not finite`);
      this.staging.set(batch, update * size);
    }
    writeArray(queue, this.ring, this.staging, (step % HOST_RING_SLOTS) * this.staging.byteLength);
  }

  /** Records the copy of update `draw`'s batch into `out`, from row dstRowOffset on. */
  async encode(seq: SequenceBuilder, kernels: KernelRegistry, state: GPUBuffer, out: GPUBuffer, draw: number, dstRowOffset: number): Promise<void> {
    const k = await kernels.kernel(hostBatchKernels, 'copy_host_batch');
    const u = { rows: this.rows, cols: this.cols, draws: this.draws, draw, slots: HOST_RING_SLOTS, dst_row_offset: dstRowOffset };
    seq.add(k, { ring: this.ring, state, out }, u, `host_${this.what}`);
  }
}

/** The host-fed streams of a config (noise: dSteps + 1 batches a step; data: dSteps). */
export class HostStreams {
  readonly noise: HostRing | null;
  readonly data: HostRing | null;

  constructor(device: GPUDevice, c: ResolvedGanConfig) {
    const B = c.batchSize;
    this.noise = c.noise.distribution === 'host' ? new HostRing(device, 'noise', c.noise.next, c.dSteps + 1, B, c.shapes.noise) : null;
    this.data = c.data.kind === 'host' ? new HostRing(device, 'data', c.data.next, c.dSteps, B, c.shapes.sample) : null;
  }

  get any(): boolean {
    return this.noise !== null || this.data !== null;
  }

  /** Writes the batches of steps first … first + count − 1. */
  write(queue: GPUQueue, first: number, count: number): void {
    for (let s = first; s < first + count; s++) {
      this.noise?.write(queue, s);
      this.data?.write(queue, s);
    }
  }

  destroy(): void {
    this.noise?.ring.destroy();
    this.data?.ring.destroy();
  }
}
