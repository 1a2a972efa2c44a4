// Starts the engine: in a module Web Worker when that worker has WebGPU,
// else on this thread (same Engine class, same messages). `?engine=main`
// forces the main thread (for comparison and tests).
import { Engine } from './engine/engine.js';
import type { EngineCanvases, FromEngine, ToEngine } from './protocol.js';

export interface EngineLink {
  readonly where: 'worker' | 'main thread';
  readonly adapter: string;
  send(msg: ToEngine, transfer?: Transferable[]): void;
}

type Ready = Extract<FromEngine, { type: 'ready' }>;
type Unavailable = Extract<FromEngine, { type: 'unavailable' }>;

/** How long a worker may take to say whether it has WebGPU before we stop waiting for it. */
const WORKER_START_MS = 15_000;

function startWorker(onMessage: (m: FromEngine) => void): Promise<{ worker: Worker; ready: Ready } | string> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'webgpu-gan engine' });
    } catch (e) {
      resolve(`could not start a worker: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const timer = setTimeout(() => {
      worker.terminate();
      resolve('the worker did not answer');
    }, WORKER_START_MS);
    worker.onerror = (ev) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(`the worker failed to load: ${ev.message || 'no details'}`);
    };
    worker.onmessage = (ev: MessageEvent<FromEngine>) => {
      const m = ev.data;
      if (m.type === 'ready') {
        clearTimeout(timer);
        worker.onmessage = (e: MessageEvent<FromEngine>) => onMessage(e.data);
        resolve({ worker, ready: m });
      } else if (m.type === 'unavailable') {
        clearTimeout(timer);
        worker.terminate();
        resolve((m as Unavailable).message);
      }
    };
  });
}

/**
 * The engine, started with `canvases` (transferred to the worker, or kept
 * here). Rejects with the reason WebGPU is unavailable on this thread too.
 */
export async function startEngine(
  canvases: () => EngineCanvases,
  onMessage: (m: FromEngine) => void,
  options: { forceMainThread?: boolean } = {},
): Promise<EngineLink & { workerProblem: string | null }> {
  let workerProblem: string | null = 'the main thread was asked for (?engine=main)';
  if (!options.forceMainThread && typeof Worker !== 'undefined') {
    const started = await startWorker(onMessage);
    if (typeof started !== 'string') {
      const c = canvases();
      started.worker.postMessage({ type: 'init', canvases: c } satisfies ToEngine, [c.plane, c.images, c.interpolation]);
      return {
        where: 'worker',
        adapter: started.ready.adapter,
        workerProblem: null,
        send: (msg, transfer = []) => started.worker.postMessage(msg, transfer),
      };
    }
    workerProblem = started;
  }
  let ready: Ready | null = null;
  let unavailable = '';
  // Messages go through a microtask so that the engine never re-enters the page's handlers.
  const engine = await Engine.start((m) => {
    if (m.type === 'ready') ready = m;
    else if (m.type === 'unavailable') unavailable = m.message;
    else queueMicrotask(() => onMessage(m));
  }, 'main thread');
  if (!engine || !ready) throw new Error(unavailable || 'WebGPU is unavailable');
  engine.handle({ type: 'init', canvases: canvases() });
  return { where: 'main thread', adapter: (ready as Ready).adapter, workerProblem, send: (msg) => engine.handle(msg) };
}
