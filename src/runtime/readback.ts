// Asynchronous readback of a training loop's small GPU accumulators: every N
// steps the recorded work copies `stats` (f32) and `state` (u32) into one of
// a small ring of staging buffers and clears `stats`; the copy is mapped
// after submit and never awaited by the loop. If every slot is still in
// flight the copy is skipped and the accumulators keep summing, so nothing
// is lost. What the numbers mean is the caller's (models/optim/bookkeeping.ts).

interface Slot {
  buffer: GPUBuffer;
  busy: boolean;
}

export class StatsReadback {
  private readonly slots: Slot[];
  private readonly pending = new Set<Promise<void>>();
  private readonly toMap: Slot[] = [];

  constructor(
    device: GPUDevice,
    private readonly stats: GPUBuffer,
    private readonly statsFloats: number,
    private readonly state: GPUBuffer,
    private readonly stateWords: number,
    /** Called with copies of both, in submission order. */
    private readonly onReport: (stats: Float32Array, state: Uint32Array) => void,
    slotCount = 4,
  ) {
    this.slots = Array.from({ length: slotCount }, (_, i) => ({
      buffer: device.createBuffer({
        label: `stats.staging${i}`,
        size: (statsFloats + stateWords) * 4,
        usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
      }),
      busy: false,
    }));
  }

  /** Encodes a copy-and-clear into a free slot; false if all slots are in flight. */
  encode(encoder: GPUCommandEncoder): boolean {
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) return false;
    slot.busy = true;
    encoder.copyBufferToBuffer(this.stats, 0, slot.buffer, 0, this.statsFloats * 4);
    encoder.copyBufferToBuffer(this.state, 0, slot.buffer, this.statsFloats * 4, this.stateWords * 4);
    encoder.clearBuffer(this.stats, 0, this.statsFloats * 4);
    this.toMap.push(slot);
    return true;
  }

  /** Call after the submit that holds the copies encoded since the last call. */
  submitted(): void {
    for (const slot of this.toMap.splice(0)) {
      const done = slot.buffer.mapAsync(GPUMapMode.READ).then(
        () => {
          const bytes = slot.buffer.getMappedRange();
          const stats = new Float32Array(bytes.slice(0, this.statsFloats * 4));
          const state = new Uint32Array(bytes.slice(this.statsFloats * 4));
          slot.buffer.unmap();
          slot.busy = false;
          this.onReport(stats, state);
        },
        () => {
          slot.busy = false; // device lost or buffer destroyed: the owner learns it from the device
        },
      );
      this.pending.add(done);
      done.finally(() => this.pending.delete(done));
    }
  }

  /** Waits for the reports already in flight (end of a train() call, not per step). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  destroy(): void {
    for (const s of this.slots) s.buffer.destroy();
  }
}
