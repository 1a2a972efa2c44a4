// GPU buffers with their shapes, created only while a plan is built.

/** Storage buffers: readable, writable and copyable both ways. */
export const STORAGE_USAGE = (): number =>
  GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export function createStorageBuffer(device: GPUDevice, label: string, floats: number, data?: ArrayBufferView): GPUBuffer {
  // WebGPU needs sizes in multiples of 4 bytes and > 0; round up to 16 for vec4 readers.
  const size = Math.max(16, Math.ceil((floats * 4) / 16) * 16);
  const buffer = device.createBuffer({ label, size, usage: STORAGE_USAGE(), mappedAtCreation: !!data });
  if (data) {
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
  }
  return buffer;
}

/** A (offset, size) view of a buffer in floats, for binding a sub-range. */
export function floatRange(buffer: GPUBuffer, offsetFloats: number, floats: number): GPUBufferBinding {
  return { buffer, offset: offsetFloats * 4, size: Math.max(4, floats * 4) };
}

/** Reads a buffer back (tests, sampling, checkpoints: never inside a training step). */
export async function readFloats(device: GPUDevice, source: GPUBuffer, floats: number, offsetFloats = 0): Promise<Float32Array> {
  const size = floats * 4;
  const staging = device.createBuffer({ size: Math.max(4, size), usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, offsetFloats * 4, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

export async function readUints(device: GPUDevice, source: GPUBuffer, count: number): Promise<Uint32Array> {
  const floats = await readFloats(device, source, count);
  return new Uint32Array(floats.buffer);
}

/** Writes a typed array into a buffer at a byte offset (queue.writeBuffer over the array's own range). */
export function writeArray(queue: GPUQueue, buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
  queue.writeBuffer(buffer, byteOffset, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
}
