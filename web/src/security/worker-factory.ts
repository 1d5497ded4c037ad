/** The production transform worker, bundled by Vite as a module worker. */
export const createE2eeWorker = (): Worker => new Worker(new URL('./e2ee-worker.ts', import.meta.url), { type: 'module', name: 'parley-e2ee' });
