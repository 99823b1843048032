/**
 * The entry of the browser-test build (`vite build --mode fake`, fake.html):
 * the real UI over the in-memory fake backend. Never part of the app bundle.
 * Query parameters: ?users=N (default 100,000), ?signedIn=admin|owner|demo,
 * ?latency=ms.
 */
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { FakeBackend } from './lib/fake-backend';
import { theme } from './lib/theme.svelte';

const target = document.getElementById('app');
if (!target) {
  throw new Error('fake.html has no #app element to mount the UI into');
}

const params = new URLSearchParams(location.search);
const signedIn = params.get('signedIn');
const backend = new FakeBackend({
  users: Number(params.get('users') ?? 100_000),
  latencyMs: Number(params.get('latency') ?? 40),
  signedInAs: signedIn === 'admin' || signedIn === 'owner' || signedIn === 'demo' ? signedIn : null,
});

// The browser test plays the server's side through the fake's hooks
// (expireSession, setOffline, …); this build exists only for that test.
Object.defineProperty(window, '__rosterFake', { value: backend });

theme.apply();

export default mount(App, { target, props: { backend } });
