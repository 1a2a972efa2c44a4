// bench/results/quality.md is derived: one row per run record in
// bench/results/quality/*.json (written by bench/quality.mjs), sorted by
// preset and date, every evaluation of a run in its record. Never edit the
// table by hand; rerun `node bench/quality.mjs --table` after moving records.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const QUALITY_DIR = 'bench/results/quality';
export const QUALITY_TABLE = 'bench/results/quality.md';

const HEADER = [
  '# Digit GAN quality runs',
  '',
  'Written by `bench/quality.mjs` from the run records in `bench/results/quality/` (one JSON per run, with every evaluation); do not edit.',
  'FID: classifier-FID against the 2,000 held-out digits; floor: 2,000 training digits against them; ceiling: the untrained G.',
  '',
  '| date | preset | adapter | seed | lr | steps | train s | FID | FID floor | FID ceiling | classes ≥5% | KL(hist‖uniform) | conditional acc. | grid |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];

/** Rewrites quality.md from every record; returns the number of rows. */
export function writeQualityTable(dir = QUALITY_DIR, out = QUALITY_TABLE) {
  const records = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) => a.preset.localeCompare(b.preset) || a.date.localeCompare(b.date));
  const rows = records.map((r) => {
    const f = r.final;
    const cond = f.conditionalAccuracy === null || f.conditionalAccuracy === undefined ? '–' : `${(100 * f.conditionalAccuracy).toFixed(1)}%`;
    const grid = r.png ? `[png](${r.png.replace(/^bench\/results\//, '')})` : '(not kept)';
    return `| ${r.date.slice(0, 10)} | ${r.preset}${r.objective ? ` (${r.objective})` : ""} | ${String(r.adapter).slice(0, 40)} | ${r.seed} | ${r.lr ?? 'preset'} | ${r.steps} | ${r.trainSeconds.toFixed(0)} | ${f.fid.toFixed(1)} | ${r.fidFloor.toFixed(2)} | ${r.fidCeiling.toFixed(0)} | ${f.classesCovered} | ${f.klToUniform.toFixed(3)} | ${cond} | ${grid} |`;
  });
  writeFileSync(out, [...HEADER, ...rows, ''].join('\n'));
  return rows.length;
}
