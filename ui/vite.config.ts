/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vite';

const uiDir = fileURLToPath(new URL('.', import.meta.url));
const iconsDir = fileURLToPath(new URL('../icons', import.meta.url));
const cargoToml = fileURLToPath(new URL('../Cargo.toml', import.meta.url));
const tauriConf = fileURLToPath(new URL('../tauri.conf.json', import.meta.url));

/**
 * The app version lives in one place: `[workspace.package] version` in the root
 * Cargo.toml, which Tauri also uses for the bundle. Read it rather than repeat it.
 */
function appVersion(): string {
  let section = '';
  for (const rawLine of readFileSync(cargoToml, 'utf8').split('\n')) {
    const line = rawLine.trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      section = header[1].trim();
      continue;
    }
    const version = /^version\s*=\s*"([^"]+)"/.exec(line);
    if (section === 'workspace.package' && version?.[1] !== undefined) {
      return version[1];
    }
  }
  throw new Error(`no [workspace.package] version in ${cargoToml}`);
}

/**
 * The app's production Content-Security-Policy, from tauri.conf.json, as a
 * header value: the browser test serves the fake build under the very policy
 * the webview enforces, so a CSP violation fails there first.
 */
export function productionCsp(): string {
  const conf = JSON.parse(readFileSync(tauriConf, 'utf8')) as {
    app?: { security?: { csp?: Record<string, string> } };
  };
  const csp = conf.app?.security?.csp;
  if (csp === undefined) throw new Error(`no app.security.csp in ${tauriConf}`);
  return Object.entries(csp)
    .map(([directive, value]) => `${directive} ${value}`)
    .join('; ');
}

// `--mode fake` builds the browser-test bundle: fake.html, whose entry wires the
// in-memory fake backend. It goes to dist-fake/, never into the app (dist/).
export default defineConfig(({ mode }) => ({
  plugins: [svelte(), ...(process.env.VITEST ? [svelteTesting()] : [])],
  define: {
    __APP_VERSION__: JSON.stringify(appVersion()),
  },
  build:
    mode === 'fake'
      ? {
          outDir: 'dist-fake',
          rollupOptions: { input: fileURLToPath(new URL('fake.html', import.meta.url)) },
        }
      : undefined,
  preview:
    mode === 'fake' ? { headers: { 'Content-Security-Policy': productionCsp() } } : undefined,
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/tests/setup.ts'],
    testTimeout: 20_000,
  },
  // Keep Rust compiler output visible when run by `tauri dev`.
  clearScreen: false,
  server: {
    // tauri.conf.json's devUrl points here; fail rather than drift to another port.
    port: 1420,
    strictPort: true,
    // The UI shows the app icon from the repository's icons/ folder.
    fs: { allow: [uiDir, iconsDir] },
  },
}));
