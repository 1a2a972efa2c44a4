// Node module hooks for the test processes, so that specs can import library
// modules as the bundles see them (scripts/build.mjs): a .wgsl import is its
// source text (esbuild's text loader), and wgsl_reflect is its ES module
// build (its "main" is CommonJS inside a "type": "module" package, which
// Node cannot load; esbuild takes its "module" field).
import { readFile } from 'node:fs/promises';

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'wgsl_reflect') {
    const main = await nextResolve(specifier, context);
    return { ...main, url: new URL('wgsl_reflect.module.js', main.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.endsWith('.wgsl')) {
    const text = await readFile(new URL(url), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
