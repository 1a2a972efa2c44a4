// Where the tuner keeps its choices between runs: one record per adapter
// (runtime/tuner.ts: adapterKey), mapping a tuned dispatch's key to the name
// of the variant that won. A store that cannot be read or written is never
// fatal: the tuner warns and goes on with what it measured or its defaults.
// The Node store (a JSON file) is in node/tuning-file-store.ts; here are the
// in-memory one (tests, hosts without storage) and the browser's IndexedDB one.

/** Tuned-dispatch key (`family@hash.entry|shape`) → variant name, for one adapter. */
export type TuningChoices = Record<string, string>;

export interface TuningStore {
  /** The choices stored for this adapter; {} when none (or the store is unreadable). */
  read(adapter: string): Promise<TuningChoices>;
  /** Adds these choices to the adapter's record (keys not given are kept). */
  write(adapter: string, choices: TuningChoices): Promise<void>;
}

/** Keeps choices in this object only: for tests, and wherever nothing can be persisted. */
export class MemoryTuningStore implements TuningStore {
  readonly records = new Map<string, TuningChoices>();
  reads = 0;
  writes = 0;

  async read(adapter: string): Promise<TuningChoices> {
    this.reads++;
    return { ...this.records.get(adapter) };
  }

  async write(adapter: string, choices: TuningChoices): Promise<void> {
    this.writes++;
    this.records.set(adapter, { ...this.records.get(adapter), ...choices });
  }
}

/** Only string → string entries survive a read: anything else in a stored record is dropped. */
export function validChoices(value: unknown): TuningChoices {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

const DB = 'webgpu-gan-tuning';
const STORE = 'choices';
/**
 * How long a request may go unanswered. IndexedDB can leave a request pending
 * for good (an open blocked by another context's connection, a browser that
 * defers storage in some frames); a trainer must not wait on its cache.
 */
const IDB_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} got no answer in ${IDB_TIMEOUT_MS} ms`)), IDB_TIMEOUT_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The browser's store: one IndexedDB object per adapter key, in database 'webgpu-gan-tuning'. */
export class IndexedDbTuningStore implements TuningStore {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly factory: IDBFactory = indexedDB) {}

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const request = this.factory.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('opening the database is blocked by another connection'));
    });
    // A failed or timed-out open is retried on the next read or write rather than kept.
    const opened = withTimeout(this.db, 'opening the database');
    opened.catch(() => (this.db = null));
    return opened;
  }

  private async run<T>(mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.open();
    const done = new Promise<T>((resolve, reject) => {
      const request = body(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return withTimeout(done, `a ${mode} request`);
  }

  async read(adapter: string): Promise<TuningChoices> {
    try {
      return validChoices(await this.run('readonly', (s) => s.get(adapter)));
    } catch (e) {
      console.warn(`webgpu-gan: the kernel tuning cache (IndexedDB) could not be read, so nothing cached is used: ${(e as Error).message}`);
      return {};
    }
  }

  async write(adapter: string, choices: TuningChoices): Promise<void> {
    try {
      const old = validChoices(await this.run('readonly', (s) => s.get(adapter)));
      await this.run('readwrite', (s) => s.put({ ...old, ...choices }, adapter));
    } catch (e) {
      console.warn(`webgpu-gan: the kernel tuning cache (IndexedDB) could not be written: ${(e as Error).message}`);
    }
  }
}
