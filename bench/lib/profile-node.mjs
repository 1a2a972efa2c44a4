// Helpers of bench/profile-step.mjs shared with bench/bench.mjs.

/**
 * A Node GpuContext for profiling: the Vulkan driver resolved as createNodeGpuContext() does, then a
 * device on a Dawn instance with allow_unsafe_apis and no timestamp quantization.
 */
export async function nodeProfileContext(lib) {
  const first = await lib.createNodeGpuContext();
  const dawn = await import('webgpu');
  const gpu = dawn.create(['enable-dawn-features=allow_unsafe_apis', 'disable-dawn-features=timestamp_quantization']);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return first;
  const requiredLimits = {};
  for (const k of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxStorageBuffersPerShaderStage']) requiredLimits[k] = adapter.limits[k];
  // As createGpuContext requests them (runtime/device.ts: OPTIONAL_FEATURES): the subgroup kernel variants need 'subgroups'.
  const requiredFeatures = ['timestamp-query', 'subgroups'].filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'webgpu-gan-profile' });
  const ctx = await lib.createGpuContext({ device });
  ctx.keepAlive = [gpu, first];
  return ctx;
}

/** The profile as markdown: top dispatches, then the kernels. */
export function profileMarkdown(p, top = 25) {
  const f = (x, d = 3) => x.toFixed(d);
  const lines = [
    `Profile of one ${p.preset} step (${p.runtime}, ${p.adapter}): ${p.dispatches} dispatches, sum ${f(p.sumMs, 2)} ms; ` +
      `a normal step (one pass) ${f(p.stepWallMs, 2)} ms wall; method: ${p.method}.`,
    '',
    '| # | dispatch | kernel | workgroups | ms | share |',
    '| --- | --- | --- | --- | --- | --- |',
    ...p.rows.slice(0, top).map((r, i) => `| ${i + 1} | ${r.label} | ${r.kernel} | ${r.workgroups} | ${f(r.ms)} | ${f(r.share * 100, 1)}% |`),
  ];
  if (p.rows.length > top) {
    const rest = p.rows.slice(top);
    lines.push(`| | (${rest.length} more) | | | ${f(rest.reduce((a, r) => a + r.ms, 0))} | ${f(rest.reduce((a, r) => a + r.share, 0) * 100, 1)}% |`);
  }
  lines.push('', '| kernel | dispatches | ms | share |', '| --- | --- | --- | --- |');
  for (const k of p.kernels) lines.push(`| ${k.kernel} | ${k.dispatches} | ${f(k.ms)} | ${f(k.share * 100, 1)}% |`);
  return lines.join('\n');
}

