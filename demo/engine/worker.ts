// Module Web Worker entry: the engine runs here, off the page's thread, and
// draws into the OffscreenCanvases the page transfers. If this worker has no
// WebGPU it says so ('unavailable') and the page runs the engine itself.
import type { FromEngine, ToEngine } from '../protocol.js';
import { Engine } from './engine.js';

interface WorkerScope {
  postMessage(msg: FromEngine, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent<ToEngine>) => void) | null;
}

const scope = self as unknown as WorkerScope;
const early: ToEngine[] = [];
scope.onmessage = (ev) => early.push(ev.data);
void Engine.start((msg, transfer = []) => scope.postMessage(msg, transfer), 'worker').then((engine) => {
  if (!engine) return;
  scope.onmessage = (ev) => engine.handle(ev.data);
  for (const m of early.splice(0)) engine.handle(m);
});
