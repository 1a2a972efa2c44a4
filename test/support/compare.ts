// |actual − expected| ≤ atol + rtol·|expected|, element by element. A NaN or
// infinity in `actual` never passes where `expected` is finite. On failure
// the message lists the first mismatches and the largest error.
import { expect } from '@playwright/test';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ expected ${expected.length}`;
  const bad: string[] = [];
  let mismatches = 0;
  let maxErr = 0;
  let maxAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    const ok = Number.isFinite(e) ? Number.isFinite(a) && err <= tol.atol + tol.rtol * Math.abs(e) : Object.is(a, e);
    if (!(err <= maxErr) || !Number.isFinite(err)) {
      maxErr = Number.isFinite(err) ? err : Infinity;
      maxAt = i;
    }
    if (!ok) {
      mismatches++;
      if (bad.length < 8) bad.push(`  [${i}] got ${a}, expected ${e} (|Δ| = ${err.toExponential(3)})`);
    }
  }
  if (mismatches === 0) return null;
  return (
    `${mismatches}/${expected.length} elements outside atol=${tol.atol}, rtol=${tol.rtol}; ` +
    `max |Δ| = ${maxErr.toExponential(3)} at [${maxAt}]\n${bad.join('\n')}`
  );
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what = 'values'): void {
  const problem = compareArrays(actual, expected, tol);
  expect(problem, `${what}: ${problem}`).toBeNull();
}
