import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const uiDir = fileURLToPath(new URL('.', import.meta.url));
const iconsDir = fileURLToPath(new URL('../icons', import.meta.url));
const cargoToml = fileURLToPath(new URL('../Cargo.toml', import.meta.url));

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

export default defineConfig({
  plugins: [svelte()],
  define: {
    __APP_VERSION__: JSON.stringify(appVersion()),
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
});
