// The GAN losses. Importing a loss's module registers it (loss.ts); a new
// loss is its module file, its shader if it needs one, its test and one line
// here.
export * from './bce.js';
export * from './bce-minimax.js';
export * from './lsgan.js';
export * from './hinge.js';
export * from './wgan.js';
export * from './wasserstein.js';
export { penaltyInfo, type PenaltySpec, type PenaltyName } from './gradient-penalty.js';
export { lossNames, lossInfo, findLoss, type GanLossModule, type LossResult, type LossInfo, type LossReadout } from './loss.js';
