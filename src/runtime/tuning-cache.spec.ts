// The browser's kernel tuning cache (IndexedDB) on the test page: choices
// written for one adapter read back merged, another adapter's stay apart, and
// a record holding something other than variant names reads as no choices for
// those keys. Also what a browser context gets by default: the IndexedDB
// store, and 'cached' on SwiftShader (a CPU adapter: no timing at build).
import { test, expect } from '../../test/support/fixtures.js';

test('IndexedDbTuningStore: writes merge per adapter, adapters stay apart, malformed entries are dropped on read', async ({ gpu }) => {
  const got = await gpu.page.evaluate(async () => {
    const { IndexedDbTuningStore } = window.harness.advanced;
    const name = `spec-${Math.random()}`;
    const store = new IndexedDbTuningStore();
    const before = await store.read(`${name}-a`);
    await store.write(`${name}-a`, { k1: 't16.wg4x4' });
    await store.write(`${name}-a`, { k2: 't8.wg8x8' });
    await store.write(`${name}-b`, { k1: 't4.wg16x16' });
    // A record another version might have left: numbers and nested objects are no variant names.
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('webgpu-gan-tuning', 1);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    await new Promise<void>((resolve, reject) => {
      const r = raw.transaction('choices', 'readwrite').objectStore('choices').put({ k1: 3, k2: { x: 1 }, k3: 't4.wg16x8' }, `${name}-c`);
      r.onsuccess = () => resolve();
      r.onerror = () => reject(r.error);
    });
    raw.close();
    const fresh = new IndexedDbTuningStore(); // a new page load's store: only what was persisted
    return {
      before,
      a: await fresh.read(`${name}-a`),
      b: await fresh.read(`${name}-b`),
      c: await fresh.read(`${name}-c`),
      mode: window.harness.ctx.tuner?.mode,
      storeKind: window.harness.ctx.tuner ? 'tuner' : 'none',
      adapterName: window.harness.adapterName,
    };
  });
  expect(got.before).toEqual({});
  expect(got.a).toEqual({ k1: 't16.wg4x4', k2: 't8.wg8x8' });
  expect(got.b).toEqual({ k1: 't4.wg16x16' });
  expect(got.c).toEqual({ k3: 't4.wg16x8' });
  expect(got.storeKind).toBe('tuner');
  // CI's adapter is SwiftShader: the default mode there never times.
  expect(got.adapterName).toMatch(/swiftshader/i);
  expect(got.mode).toBe('cached');
});
