import { defineConfig } from 'vite';

// Built by `npm run build` into apps/console/dist, which the gateway serves at `/`.
export default defineConfig({
  root: import.meta.dirname,
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets' },
  oxc: { jsx: { runtime: 'automatic' } },
  // `vite dev` beside `npm start`: the API and the feed come from the gateway.
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
