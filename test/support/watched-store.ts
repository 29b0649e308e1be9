import type { StoryStore } from '../../src/core/ports';

/** Which store method fails, how (the error message), and whether every call fails or only the first. */
export interface StoreFault {
  method: keyof StoryStore;
  message: string;
  onlyFirstCall?: boolean;
}

/**
 * The real store with every call noted in order, for tests of what a use-case asks of the store and when. A fault
 * makes one method throw before reaching the store, as a crash or an outage would.
 */
export function watchedStore(target: StoryStore, fault?: StoreFault) {
  const calls: { method: string; args: unknown[] }[] = [];
  const called = (name: string) => calls.filter((call) => call.method === name);
  const proxy = new Proxy(target, {
    get(real, property: keyof StoryStore) {
      const method = real[property] as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        calls.push({ method: property, args });
        const fails = property === fault?.method && (!fault.onlyFirstCall || called(property).length === 1);
        if (fails) throw new Error(fault.message);
        return method.apply(real, args);
      };
    },
  });
  return { store: proxy, calls, called };
}
