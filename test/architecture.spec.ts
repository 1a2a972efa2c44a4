// The rooms of src/ import downward only (the order below), so the data path
// reads top to bottom: presets → layers → plan → command buffers → GPU. Also:
// nothing but tests and the reference trainer imports src/reference, the
// runtime speaks no GAN words, and no module imports itself through a cycle.
// Reads the sources as text (Node, no GPU).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test, expect } from '@playwright/test';

/** Each room and the rooms it may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  runtime: [],
  shaders: ['runtime'],
  io: ['runtime'],
  data: ['runtime'],
  'models/layers': ['runtime', 'shaders'],
  'models/losses': ['runtime', 'shaders', 'models/layers'],
  'models/optim': ['runtime', 'shaders', 'models/layers'],
  'models/gan': ['runtime', 'shaders', 'io', 'models/layers', 'models/losses', 'models/optim'],
  render: ['runtime', 'shaders'],
  eval: ['runtime', 'shaders', 'io', 'data', 'models/layers', 'models/optim', 'models/gan'],
  presets: ['runtime', 'data', 'models/layers', 'models/gan'],
  reference: ['runtime', 'shaders', 'models/layers', 'models/losses', 'models/optim', 'models/gan'],
  node: ['runtime', 'shaders', 'io', 'data', 'models/layers', 'models/losses', 'models/optim', 'models/gan', 'eval', 'render', 'presets', 'entry'],
  entry: ['runtime', 'shaders', 'io', 'data', 'models/layers', 'models/losses', 'models/optim', 'models/gan', 'eval', 'render', 'presets'],
};

const SRC = 'src';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

function roomOf(path: string): string {
  const rel = relative(SRC, path);
  const parts = rel.split('/');
  if (parts.length === 1) return 'entry'; // index.ts, advanced.ts
  if (parts[0] === 'models') return `models/${parts[1]}`;
  return parts[0];
}

/** Relative imports of a file, resolved to src paths (.js → .ts; .wgsl kept). */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'|^\s*import\s+'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => normalize(join(dirname(path), s)).replace(/\.js$/, '.ts'));
}

const files = sources(SRC);

test('every room imports only the rooms below it', () => {
  const wrong: string[] = [];
  for (const file of files) {
    const from = roomOf(file);
    expect(ALLOWED[from], `${file}: room '${from}' is not in the table`).toBeDefined();
    for (const target of importsOf(file)) {
      const to = roomOf(target);
      if (to !== from && !ALLOWED[from].includes(to)) wrong.push(`${file} (${from}) imports ${target} (${to})`);
    }
  }
  expect(wrong).toEqual([]);
});

test('only tests and the reference trainer import src/reference', () => {
  const importers = files.filter((f) => roomOf(f) !== 'reference' && importsOf(f).some((t) => roomOf(t) === 'reference'));
  expect(importers).toEqual([]);
});

test('the runtime speaks no GAN words', () => {
  const gan = /\b(GAN|discriminator|generator|Gan[A-Z]\w*)\b/;
  const found = files.filter((f) => roomOf(f) === 'runtime').flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .map((line, i) => [line, i] as const)
      .filter(([line]) => gan.test(line))
      .map(([line, i]) => `${f}:${i + 1}: ${line.trim()}`),
  );
  expect(found).toEqual([]);
});

test('no module imports itself through a cycle', () => {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.endsWith('.ts'))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(f)), f].join(' → '));
      return;
    }
    state.set(f, 'visiting');
    for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  expect(cycles).toEqual([]);
});
