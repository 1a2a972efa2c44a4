// Recorder: a training step is built once as a list of dispatches (pipeline,
// bind group, workgroup count) whose uniforms live in one buffer written at
// build time. Encoding a step afterwards only replays that list into a pass:
// no buffer, bind group, pipeline or shader string is created per step.
import { packUniforms, type BufferResource, type Kernel, type UniformValues, type WorkgroupCount } from './kernel.js';

interface DispatchSpec {
  kernel: Kernel;
  buffers: Record<string, BufferResource>;
  uniforms: UniformValues | null;
  label: string;
}

export interface RecordedDispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: WorkgroupCount;
}

/** Collects dispatches, then creates their uniforms and bind groups in one go. */
export class SequenceBuilder {
  private readonly specs: DispatchSpec[] = [];

  constructor(
    private readonly device: GPUDevice,
    readonly label: string,
  ) {}

  /** Queue a dispatch. `buffers` names each binding as in the WGSL; uniforms fill its uniform struct. */
  add(kernel: Kernel, buffers: Record<string, BufferResource>, uniforms: UniformValues | null, label: string): void {
    this.specs.push({ kernel, buffers, uniforms, label: `${this.label}/${label}` });
  }

  build(): RecordedSequence {
    const align = this.device.limits.minUniformBufferOffsetAlignment;
    const slots: { offset: number; data: ArrayBuffer }[] = [];
    let size = 0;
    for (const spec of this.specs) {
      const layout = spec.kernel.info.uniform;
      if (!layout) continue;
      if (!spec.uniforms) throw new Error(`${spec.label}: ${spec.kernel.id} needs uniforms`);
      slots.push({ offset: size, data: packUniforms(layout, spec.uniforms, spec.label) });
      size += Math.ceil(layout.size / align) * align;
    }
    const uniformBuffer = this.device.createBuffer({
      label: `${this.label}/uniforms`,
      size: Math.max(size, 16),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      mappedAtCreation: true,
    });
    const bytes = new Uint8Array(uniformBuffer.getMappedRange());
    for (const slot of slots) bytes.set(new Uint8Array(slot.data), slot.offset);
    uniformBuffer.unmap();

    let slot = 0;
    const dispatches = this.specs.map((spec): RecordedDispatch => {
      const layout = spec.kernel.info.uniform;
      const buffers = { ...spec.buffers };
      let workgroups: WorkgroupCount = [1, 1, 1];
      if (layout && spec.uniforms) {
        const { offset, data } = slots[slot++];
        buffers[layout.binding] = { buffer: uniformBuffer, offset, size: data.byteLength };
        workgroups = spec.kernel.dispatchSize(spec.uniforms);
      } else {
        workgroups = spec.kernel.dispatchSize({});
      }
      return {
        label: spec.label,
        pipeline: spec.kernel.pipeline,
        bindGroup: spec.kernel.bindGroup(buffers, spec.label),
        workgroups,
      };
    });
    return new RecordedSequence(this.label, dispatches, uniformBuffer);
  }
}

export class RecordedSequence {
  constructor(
    readonly label: string,
    readonly dispatches: readonly RecordedDispatch[],
    private readonly uniformBuffer: GPUBuffer,
  ) {}

  /** Replays the dispatches into an open compute pass. */
  encode(pass: GPUComputePassEncoder): void {
    for (const d of this.dispatches) {
      if (d.workgroups[0] === 0 || d.workgroups[1] === 0 || d.workgroups[2] === 0) continue;
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
  }

  destroy(): void {
    this.uniformBuffer.destroy();
  }
}
