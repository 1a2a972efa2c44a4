// The page's elements (demo/index.html), looked up once and type-checked.

function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`demo page: #${id} is missing or not a ${type.name}`);
  return el;
}

export const STAT_KEYS = ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormD', 'gradNormG'] as const;
export type StatKey = (typeof STAT_KEYS)[number];

export function findElements() {
  return {
    app: byId('app', HTMLElement),
    fatal: byId('fatal', HTMLElement),
    fatalMessage: byId('fatal-message', HTMLElement),
    adapter: byId('adapter', HTMLElement),
    engineWhere: byId('engine-where', HTMLElement),
    configSummary: byId('config-summary', HTMLElement),
    controls: byId('controls', HTMLFormElement),
    preset: byId('preset', HTMLSelectElement),
    seed: byId('seed', HTMLInputElement),
    batch: byId('batch', HTMLInputElement),
    lrD: byId('lr-d', HTMLInputElement),
    lrG: byId('lr-g', HTMLInputElement),
    dSteps: byId('d-steps', HTMLInputElement),
    noise: byId('noise', HTMLSelectElement),
    loss: byId('loss', HTMLSelectElement),
    lossNote: byId('loss-note', HTMLElement),
    optimizerD: byId('optimizer-d', HTMLSelectElement),
    optimizerG: byId('optimizer-g', HTMLSelectElement),
    ema: byId('ema', HTMLInputElement),
    emaDecay: byId('ema-decay', HTMLInputElement),
    emaNote: byId('ema-note', HTMLElement),
    spectralNorm: byId('spectral-norm', HTMLInputElement),
    penalty: byId('penalty', HTMLSelectElement),
    widths: byId('widths', HTMLElement),
    widthsNote: byId('widths-note', HTMLElement),
    hiddenG: byId('hidden-g', HTMLInputElement),
    hiddenD: byId('hidden-d', HTMLInputElement),
    pendingHint: byId('pending-hint', HTMLElement),
    play: byId('play', HTMLButtonElement),
    pause: byId('pause', HTMLButtonElement),
    step: byId('step', HTMLButtonElement),
    reset: byId('reset', HTMLButtonElement),
    status: byId('status', HTMLElement),
    steps: byId('steps', HTMLElement),
    rate: byId('rate', HTMLElement),
    stats: Object.fromEntries(STAT_KEYS.map((k) => [k, byId(`stat-${k}`, HTMLElement)])) as Record<StatKey, HTMLElement>,
    statsWindow: byId('stats-window', HTMLElement),
    statsOutput: byId('stats-output', HTMLElement),
    save: byId('save', HTMLButtonElement),
    load: byId('load', HTMLButtonElement),
    loadFile: byId('load-file', HTMLInputElement),
    loadTrained: byId('load-trained', HTMLButtonElement),
    png: byId('png', HTMLButtonElement),
    fileNote: byId('file-note', HTMLElement),
    error: byId('error', HTMLElement),
    distTitle: byId('dist-title', HTMLElement),
    distCaption: byId('dist-caption', HTMLElement),
    distChart: byId('dist-chart', HTMLElement),
    distNote: byId('dist-note', HTMLElement),
    planeWrap: byId('plane-wrap', HTMLElement),
    plane: byId('plane', HTMLCanvasElement),
    drawPad: byId('draw-pad', HTMLCanvasElement),
    drawTools: byId('draw-tools', HTMLElement),
    drawToggle: byId('draw-toggle', HTMLButtonElement),
    drawClear: byId('draw-clear', HTMLButtonElement),
    drawTrain: byId('draw-train', HTMLButtonElement),
    imagesWrap: byId('images-wrap', HTMLElement),
    images: byId('images', HTMLCanvasElement),
    interpolation: byId('interpolation', HTMLCanvasElement),
    divergencePanel: byId('divergence-panel', HTMLElement),
    divergenceChart: byId('divergence-chart', HTMLElement),
    lossChart: byId('loss-chart', HTMLElement),
    lossHint: byId('loss-hint', HTMLElement),
    dOutHint: byId('dout-hint', HTMLElement),
    dOutChart: byId('dout-chart', HTMLElement),
    gradChart: byId('grad-chart', HTMLElement),
  };
}

export type PageElements = ReturnType<typeof findElements>;
