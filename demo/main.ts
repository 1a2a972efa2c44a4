// Demo page entry: starts the engine (a Web Worker with WebGPU, else this
// thread) and hands its messages to the page, or says why WebGPU is missing.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { findElements } from './dom.js';
import { startEngine } from './engine-link.js';
import { DemoPage } from './page.js';
import type { FromEngine } from './protocol.js';

async function main(): Promise<void> {
  const el = findElements();
  const forceMainThread = new URLSearchParams(location.search).get('engine') === 'main';
  let page: DemoPage | null = null;
  const early: FromEngine[] = [];
  const onMessage = (m: FromEngine) => (page ? page.handle(m) : early.push(m));
  const canvases = () => ({
    plane: el.plane.transferControlToOffscreen(),
    images: el.images.transferControlToOffscreen(),
    interpolation: el.interpolation.transferControlToOffscreen(),
  });
  try {
    const link = await startEngine(canvases, onMessage, { forceMainThread });
    el.adapter.textContent = link.adapter;
    el.engineWhere.textContent = link.where === 'worker' ? 'a Web Worker' : 'the main thread';
    el.engineWhere.title = link.workerProblem ? `Not in a worker: ${link.workerProblem}` : 'The page stays responsive while it trains.';
    el.app.hidden = false; // visible before the charts are built: they size to their containers
    page = new DemoPage(el);
    for (const m of early.splice(0)) page.handle(m);
    page.start(link);
  } catch (e) {
    el.adapter.textContent = 'none';
    el.engineWhere.textContent = '–';
    el.configSummary.textContent = 'Not started: no WebGPU device.';
    el.fatalMessage.textContent = e instanceof Error ? e.message : String(e);
    el.fatal.hidden = false;
  }
}

void main();
