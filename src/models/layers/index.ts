// The layer kinds. Importing a kind's module registers it (layer.ts) and adds
// its spec to the Layer type; a new kind is its module file, its shader if it
// needs one, its test and one line here.
export * from './activation.js';
export * from './linear.js';
export * from './conv2d.js';
export * from './conv-transpose2d.js';
export * from './batchnorm.js';
export * from './flatten.js';
export type { ConvLayerOptions } from './conv-common.js';
export { withSpectralNorm, type SpectralNormNets, type SpectralNormOption, type SpectralNormOptions } from './spectral-norm.js';
export type { Layer } from './layer.js';
