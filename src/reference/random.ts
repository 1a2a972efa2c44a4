// CPU reference for random.wgsl's random_gather_rows (the uniform and normal
// draws are runtime/philox.ts, which production code uses too).
import { philoxBlock, type DrawKey } from '../runtime/philox.js';

/** Row indices that random_gather_rows picks for `rows` rows from `srcRows`. */
export function gatherIndices(k: DrawKey, rows: number, srcRows: number): number[] {
  return Array.from({ length: rows }, (_, r) => philoxBlock(k, r)[0] % srcRows);
}

export function randomGatherRows(k: DrawKey, src: ArrayLike<number>, srcRows: number, cols: number, rows: number): Float64Array {
  const out = new Float64Array(rows * cols);
  gatherIndices(k, rows, srcRows).forEach((index, r) => {
    for (let c = 0; c < cols; c++) out[r * cols + c] = src[index * cols + c];
  });
  return out;
}
