import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { TauriBackend } from './lib/tauri-backend';
import { theme } from './lib/theme.svelte';
import { firstRequest } from './lib/users-table.svelte';

const target = document.getElementById('app');
if (!target) {
  throw new Error('index.html has no #app element to mount the UI into');
}

theme.apply();

const backend = new TauriBackend();
backend.prefetchUsersWindow(firstRequest());
performance.mark('roster:mount');
export default mount(App, { target, props: { backend } });
performance.mark('roster:mounted');
