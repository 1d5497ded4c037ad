import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const backend = 'http://localhost:8080';

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      // zod ships comments Rollup cannot place; harmless, and noise on every `npm start`.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': backend,
      '/ws': { target: backend, ws: true },
      // The page /transparency is the SPA's; only its data (/transparency/v1/…) is the server's.
      '/transparency': {
        target: backend,
        bypass: (req) => (req.headers.accept?.includes('text/html') ? '/index.html' : undefined),
      },
      '/.well-known': backend,
    },
  },
  // Lets `npx vitest run --config web/vite.config.ts` run the client's unit tests.
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
