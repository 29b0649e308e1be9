import { createRequire } from 'node:module';

type Callback = (error: unknown, table?: { TableStatus?: string }) => void;

interface DynaliteStore {
  getTable(name: string, checkStatus: boolean | Callback, callback?: Callback): void;
  tableDb: { put: (...args: unknown[]) => unknown; del: (...args: unknown[]) => unknown };
}

interface DynaliteDbModule {
  create(options: unknown): DynaliteStore;
}

let installed = false;

/**
 * dynalite reads its table's description from LevelDB and decodes its JSON on every item read and write; with
 * batched requests that is most of the work per row. This keeps the description of each active table in memory
 * for the item actions, which only read it. The table actions (describe, update, delete) read it the uncached way,
 * as they may change the object they get, and any write of a description empties the cache. Installed once, on
 * dynalite's own db module, before the first engine is created.
 */
export function cacheDynaliteTableDescriptions(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const dbModule = require('dynalite/db') as DynaliteDbModule;
  const create = dbModule.create.bind(dbModule);
  dbModule.create = (options) => {
    const store = create(options);
    const described = new Map<string, { TableStatus?: string }>();
    const forget = <T extends (...args: unknown[]) => unknown>(write: T): T =>
      ((...args: unknown[]) => {
        described.clear();
        return write(...args);
      }) as T;
    store.tableDb.put = forget(store.tableDb.put.bind(store.tableDb));
    store.tableDb.del = forget(store.tableDb.del.bind(store.tableDb));
    const getTable = store.getTable.bind(store);
    store.getTable = (name, checkStatus, callback) => {
      if (typeof checkStatus !== 'function') {
        // A table action: it may change the description it gets, so it never shares the cached one.
        described.clear();
        getTable(name, checkStatus, callback);
        return;
      }
      const done = checkStatus;
      const known = described.get(name);
      if (known) {
        queueMicrotask(() => done(null, known));
        return;
      }
      getTable(name, (error: unknown, table?: { TableStatus?: string }) => {
        if (!error && table?.TableStatus === 'ACTIVE') described.set(name, table);
        done(error, table);
      });
    };
    return store;
  };
}
