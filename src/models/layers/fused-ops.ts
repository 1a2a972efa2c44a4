// Records of fused_mlp_gan.wgsl's program (struct Op; the kernel's header
// gives each kind's fields). Layer, loss and plan code build their ops with
// these helpers; models/gan/fused-mlp-plan.ts packs them.
import { FUSED_OP } from '../../shaders/constants.js';

export { FUSED_OP };

/** No bias (the kernel's NONE). */
export const FUSED_NONE = 0xffffffff;

type OpField = 'm' | 'n' | 'k' | 'a' | 'a_m' | 'a_k' | 'b' | 'b_n' | 'b_k' | 'c' | 'c_m' | 'bias' | 'act' | 'f0' | 'f1' | 'f2';

/** One op before grouping; fields a kind does not use stay 0. */
export type OpRecord = Partial<Record<OpField, number>> & { kind: number };

/** An op as the kernel runs it: `barrier` 0 lets the next op start without waiting for this one. */
export type FusedOp = OpRecord & { barrier: number };

export const FUSED_OP_FIELDS = ['kind', 'barrier', 'm', 'n', 'k', 'a', 'a_m', 'a_k', 'b', 'b_n', 'b_k', 'c', 'c_m', 'bias', 'act', 'f0', 'f1', 'f2'] as const;

/** C (m, n) = A·Btᵀ as in the kernel's GEMM; with one output row or column, its GEMV. */
export interface Product {
  m: number;
  n: number;
  k: number;
  a: number;
  a_m: number;
  a_k: number;
  b: number;
  b_n: number;
  b_k: number;
  c: number;
  c_m: number;
  /** Forward: the bias offset. */
  bias?: number;
}

export function product(p: Product): OpRecord {
  return { kind: p.m === 1 || p.n === 1 ? FUSED_OP.gemv : FUSED_OP.gemm, ...p, bias: p.bias ?? FUSED_NONE };
}

/** Independent ops: no barrier between them, one after the last. */
export function group(ops: OpRecord[]): FusedOp[] {
  return ops.map((op, i) => ({ ...op, barrier: i === ops.length - 1 ? 1 : 0 }));
}

export const alone = (op: OpRecord): FusedOp[] => group([op]);
