// The optimizers. Importing an optimizer's module registers it
// (optimizer.ts); a new optimizer is its module file, its shader, its test
// and one line here.
export * from './adam.js';
export * from './adamw.js';
export * from './sgd.js';
export * from './rmsprop.js';
export type { ScheduleOptions, ScheduleKind } from './schedule.js';
export { optimizerNames, optimizerInfo, findOptimizer, type OptimizerModule } from './optimizer.js';
