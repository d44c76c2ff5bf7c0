/**
 * Code a run seldom needs, kept out of the start: the bundlers put a dynamic `import()` in a file of its own,
 * which is read and compiled only when a run loads it. The code that uses it is synchronous, so a run loads
 * it first (`load()`, where it learns it needs it) and the code asks for it (`get()`).
 */
export interface Deferred<T> {
  /** Loads the module once; every later call gives the same one. */
  load(): Promise<T>;
  /** The module, once loaded; before, a bug in whoever should have loaded it (an internal error). */
  get(): T;
  readonly loaded: boolean;
}

export function deferred<T>(what: string, importer: () => Promise<T>): Deferred<T> {
  let module: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    load: () =>
      (loading ??= importer().then(loaded => {
        module = loaded;
        return loaded;
      })),
    get() {
      if (module === undefined) throw new Error(`${what} was used before it was loaded`);
      return module;
    },
    get loaded() {
      return module !== undefined;
    }
  };
}
