// Training statistics come back asynchronously: every N steps the recorded
// step copies the GPU accumulators (stats + state) into one of a small ring
// of staging buffers and clears them; the copy is mapped after submit and
// never awaited by the training loop. If every slot is still in flight the
// copy is skipped and the accumulators keep summing, so nothing is lost.

/** Means over the steps since the previous report. */
export interface TrainingStats {
  /** Training steps completed on the GPU when this was read. */
  step: number;
  lossD: number;
  lossG: number;
  /** Mean D(x) on real data (probability). */
  dReal: number;
  /** Mean D(G(z)) on fakes, before the D update. */
  dFake: number;
  gradNormD: number;
  gradNormG: number;
  /** How many D and G updates these means cover. */
  updatesD: number;
  updatesG: number;
}

export interface HaltInfo {
  step: number;
  phase: 'discriminator' | 'generator';
}

export const STATS_FLOATS = 8;
export const STATE_WORDS = 8;
/** Indices into the u32 state buffer (update_bookkeeping.wgsl). */
export const STATE = { halted: 0, haltedAtStep: 1, haltedPhase: 2, adamStepD: 3, adamStepG: 4, step: 5 } as const;

const SLOT_BYTES = (STATS_FLOATS + STATE_WORDS) * 4;

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
    private readonly state: GPUBuffer,
    private readonly onReport: (stats: TrainingStats | null, halt: HaltInfo | null) => void,
    slotCount = 4,
  ) {
    this.slots = Array.from({ length: slotCount }, (_, i) => ({
      buffer: device.createBuffer({
        label: `stats.staging${i}`,
        size: SLOT_BYTES,
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
    encoder.copyBufferToBuffer(this.stats, 0, slot.buffer, 0, STATS_FLOATS * 4);
    encoder.copyBufferToBuffer(this.state, 0, slot.buffer, STATS_FLOATS * 4, STATE_WORDS * 4);
    encoder.clearBuffer(this.stats);
    this.toMap.push(slot);
    return true;
  }

  /** Call after the submit that holds the copies encoded since the last call. */
  submitted(): void {
    for (const slot of this.toMap.splice(0)) {
      const done = slot.buffer.mapAsync(GPUMapMode.READ).then(
        () => {
          const bytes = slot.buffer.getMappedRange();
          const s = new Float32Array(bytes, 0, STATS_FLOATS);
          const st = new Uint32Array(bytes, STATS_FLOATS * 4, STATE_WORDS);
          const report = parseReport(s, st);
          slot.buffer.unmap();
          slot.busy = false;
          this.onReport(report.stats, report.halt);
        },
        () => {
          slot.busy = false; // device lost or buffer destroyed: nothing to report
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

function parseReport(s: Float32Array, st: Uint32Array): { stats: TrainingStats | null; halt: HaltInfo | null } {
  const halt: HaltInfo | null = st[STATE.halted]
    ? { step: st[STATE.haltedAtStep], phase: st[STATE.haltedPhase] === 0 ? 'discriminator' : 'generator' }
    : null;
  const updatesD = s[6];
  const updatesG = s[7];
  if (updatesD === 0 && updatesG === 0) return { stats: null, halt };
  const perD = (v: number) => (updatesD > 0 ? v / updatesD : NaN);
  const perG = (v: number) => (updatesG > 0 ? v / updatesG : NaN);
  return {
    stats: {
      step: st[STATE.step],
      lossD: perD(s[0]),
      lossG: perG(s[1]),
      dReal: perD(s[2]),
      dFake: perD(s[3]),
      gradNormD: perD(s[4]),
      gradNormG: perG(s[5]),
      updatesD,
      updatesG,
    },
    halt,
  };
}
