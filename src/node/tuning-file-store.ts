// The kernel tuning cache in Node: one JSON file,
// $XDG_CACHE_HOME/webgpu-gan/tuning.json (~/.cache/webgpu-gan/ without it),
// { "version": 1, "adapters": { "<adapter key>": { "<dispatch key>": "<variant>" } } }.
// Written whole to a temporary file and renamed over the old one, so a reader
// never sees half a file; a file that does not parse is ignored with a
// warning (and replaced on the next write), never an error.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { validChoices, type TuningChoices, type TuningStore } from '../runtime/tuning-cache.js';

const VERSION = 1;

export function defaultTuningCachePath(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'webgpu-gan', 'tuning.json');
}

type CacheFile = { version: number; adapters: Record<string, TuningChoices> };

export class FileTuningStore implements TuningStore {
  constructor(readonly path: string = defaultTuningCachePath()) {}

  private load(): Record<string, TuningChoices> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') console.warn(`webgpu-gan: the kernel tuning cache ${this.path} could not be read (${(e as Error).message}); ignoring it`);
      return {};
    }
    try {
      const file = JSON.parse(text) as Partial<CacheFile>;
      if (file?.version !== VERSION || typeof file.adapters !== 'object' || file.adapters === null) throw new Error(`not a version ${VERSION} cache`);
      return Object.fromEntries(Object.entries(file.adapters).map(([k, v]) => [k, validChoices(v)]));
    } catch (e) {
      console.warn(`webgpu-gan: the kernel tuning cache ${this.path} is corrupt (${(e as Error).message}); ignoring it`);
      return {};
    }
  }

  async read(adapter: string): Promise<TuningChoices> {
    return { ...this.load()[adapter] };
  }

  async write(adapter: string, choices: TuningChoices): Promise<void> {
    const adapters = this.load();
    adapters[adapter] = { ...adapters[adapter], ...choices };
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, JSON.stringify({ version: VERSION, adapters } satisfies CacheFile, null, 1));
      renameSync(tmp, this.path);
    } catch (e) {
      console.warn(`webgpu-gan: the kernel tuning cache ${this.path} could not be written (${(e as Error).message})`);
    }
  }
}
