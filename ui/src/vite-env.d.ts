/// <reference types="svelte" />
/// <reference types="vite/client" />

/** The app version from the root Cargo.toml, injected by vite.config.ts. */
declare const __APP_VERSION__: string;
