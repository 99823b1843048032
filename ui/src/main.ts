import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { TauriBackend } from './lib/tauri-backend';
import { theme } from './lib/theme.svelte';

const target = document.getElementById('app');
if (!target) {
  throw new Error('index.html has no #app element to mount the UI into');
}

theme.apply();

performance.mark('roster:mount');
export default mount(App, { target, props: { backend: new TauriBackend() } });
performance.mark('roster:mounted');
