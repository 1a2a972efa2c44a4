// Every kernel family's assembled WGSL (index.ts: constants, preludes, the
// family's file): no top-level name declared twice, no note that two numbers
// must agree (a shared constant replaces it), a reflection (wgsl_reflect) with
// an entry point per dispatch rule, no function-local name that hides a
// module-scope var (wgsl_reflect would count that binding as used), and a
// compile on the test page's device without errors. A family's source for a
// device feature (featureSources: 'subgroups') has the same entry points with
// the same bindings and workgroup sizes, declares each name once, and compiles
// on the page's device (which has the feature wherever its adapter offers it:
// reduction-variants.spec.ts). One family's assembled source is attached to
// the report, to read a kernel whole.
import { build } from 'esbuild';
import { test, expect } from '../../test/support/fixtures.js';
import type { KernelFamily, reflectFamily as ReflectFamily } from '../runtime/kernel.js';

/**
 * index.ts's families, and runtime/kernel.ts's reflectFamily. Node cannot import .wgsl, so esbuild
 * bundles them as the build does (.wgsl as text).
 */
async function loadShaders(): Promise<{ families: KernelFamily[]; reflectFamily: typeof ReflectFamily }> {
  const out = await build({
    stdin: {
      contents: "export * from './index.ts'; export { reflectFamily } from '../runtime/kernel.ts';",
      resolveDir: new URL('.', import.meta.url).pathname,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    loader: { '.wgsl': 'text' },
    logLevel: 'error',
  });
  const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`;
  const index = (await import(url)) as Record<string, unknown>;
  const families = Object.values(index).filter(
    (v): v is KernelFamily => typeof v === 'object' && v !== null && 'source' in v && 'dispatch' in v,
  );
  return { families, reflectFamily: index.reflectFamily as typeof ReflectFamily };
}

/** The source without comments, keeping line breaks (so line numbers still hold). */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
}

interface Declaration {
  kind: string;
  name: string;
  line: number;
}

/** Module-scope declarations (const, override, var, fn, struct, alias), by brace depth, one per line. */
function topLevelDeclarations(source: string): Declaration[] {
  const found: Declaration[] = [];
  let depth = 0;
  stripComments(source)
    .split('\n')
    .forEach((text, i) => {
      if (depth === 0) {
        const m = /^\s*(?:@\w+(?:\([^)]*\))?\s*)*(const|override|var(?:<[^>]*>)?|fn|struct|alias)\s+([A-Za-z_]\w*)/.exec(text);
        if (m) found.push({ kind: m[1].replace(/<.*/, ''), name: m[2], line: i + 1 });
      }
      for (const ch of text) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    });
  return found;
}

/** Parameters and let/var/const declared inside functions, with the line they are on. */
function localDeclarations(source: string): Declaration[] {
  const found: Declaration[] = [];
  let depth = 0;
  stripComments(source)
    .split('\n')
    .forEach((text, i) => {
      const params = depth === 0 ? /\bfn\s+\w+\s*\(([^)]*)\)/.exec(text) : null;
      for (const p of params?.[1].matchAll(/(?:@\w+(?:\([^)]*\))?\s*)*([A-Za-z_]\w*)\s*:/g) ?? []) {
        found.push({ kind: 'parameter', name: p[1], line: i + 1 });
      }
      if (depth > 0) {
        for (const d of text.matchAll(/\b(let|var|const)\s+([A-Za-z_]\w*)/g)) found.push({ kind: d[1], name: d[2], line: i + 1 });
      }
      for (const ch of text) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
    });
  return found;
}

const { families, reflectFamily } = await loadShaders();

test('index.ts exports the kernel families', () => {
  expect(families.map((f) => f.name)).toEqual(expect.arrayContaining([
    'activation',
    'adam',
    'batchnorm',
    'bce_with_logits',
    'concat_labels',
    'conv2d',
    'conv_transpose2d',
    'fused_mlp_gan',
    'linear',
    'random',
    'rmsprop',
    'sgd',
    'softmax_cross_entropy',
    'train_state',
  ]));
});

for (const family of families) {
  test(`${family.name}: assembled WGSL declares each top-level name once, and no note stands in for a shared constant`, () => {
    const declarations = topLevelDeclarations(family.source);
    expect(declarations.some((d) => d.kind === 'fn'), 'the parser found functions').toBe(true);
    const lines = new Map<string, number[]>();
    for (const d of declarations) lines.set(d.name, [...(lines.get(d.name) ?? []), d.line]);
    const twice = [...lines].filter(([, at]) => at.length > 1).map(([name, at]) => `${name} (lines ${at.join(', ')})`);
    expect(twice, 'declared more than once').toEqual([]);
    expect(family.source).not.toMatch(/must\s+match/i);
  });

  test(`${family.name}: reflects, with an entry point for each dispatch rule`, () => {
    const entries = [...reflectFamily(family).keys()].sort();
    expect(entries).toEqual(Object.keys(family.dispatch).sort());
  });

  for (const [feature, source] of Object.entries(family.featureSources ?? {})) {
    test(`${family.name}: its '${feature}' source has the same entry points, bindings and workgroup sizes, each name declared once`, () => {
      expect(source.startsWith(`enable ${feature};`)).toBe(true);
      expect([...reflectFamily(family, feature as GPUFeatureName).entries()]).toEqual([...reflectFamily(family).entries()]);
      const names = topLevelDeclarations(source).map((d) => d.name);
      expect(names.filter((n, i) => names.indexOf(n) !== i), 'declared more than once').toEqual([]);
    });
  }

  test(`${family.name}: no function-local name hides a module-scope var`, () => {
    const vars = new Set(topLevelDeclarations(family.source).filter((d) => d.kind === 'var').map((d) => d.name));
    const hiding = localDeclarations(family.source)
      .filter((d) => vars.has(d.name))
      .map((d) => `${d.kind} ${d.name} (line ${d.line})`);
    expect(hiding, 'wgsl_reflect would see these as uses of the binding').toEqual([]);
  });
}

test('every family compiles on the device without errors', async ({ gpu }, testInfo) => {
  const shown = families.find((f) => f.name === 'conv2d');
  if (shown) await testInfo.attach('conv2d.wgsl, assembled', { body: shown.source, contentType: 'text/plain' });
  const featureSources = families.flatMap((f) => Object.entries(f.featureSources ?? {}).map(([feature, source]) => ({ name: `${f.name}+${feature}`, feature, source })));
  const results = await gpu.page.evaluate(async (sources) => {
    const { device } = window.harness.ctx;
    const out: { name: string; errors: string[] }[] = [];
    for (const { name, source, feature } of sources) {
      if (feature && !device.features.has(feature as GPUFeatureName)) continue; // such a module cannot compile there; never created there
      const info = await device.createShaderModule({ label: name, code: source }).getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
      out.push({ name, errors });
    }
    return out;
  }, [...families.map((f) => ({ name: f.name, source: f.source, feature: '' })), ...featureSources]);
  const featuresHere = await gpu.page.evaluate(() => [...window.harness.ctx.device.features] as string[]);
  const expected = [...families.map((f) => f.name), ...featureSources.filter((s) => featuresHere.includes(s.feature)).map((s) => s.name)];
  expect(results.map((r) => r.name).sort()).toEqual(expected.sort());
  expect(results.filter((r) => r.errors.length > 0)).toEqual([]);
});
