import { defineConfig } from 'vite';

// Served by the gateway at /console/; everything is bundled, nothing is loaded from another origin.
export default defineConfig({
  base: '/console/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, assetsInlineLimit: 0 },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
