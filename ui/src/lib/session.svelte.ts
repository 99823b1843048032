import { toAppError, type Backend } from './backend';
import type { AppError } from './bindings/AppError';
import type { Catalogue } from './bindings/Catalogue';
import type { ConnectionStatus } from './bindings/ConnectionStatus';
import type { SyncState } from './bindings/SyncState';

interface Waiter {
  resume: () => void;
  giveUp: (error: AppError) => void;
}

/**
 * The open connection and every data call made through it. A call that
 * fails because the session expired waits for the sign-in dialog and is then
 * retried; one that fails because the network is gone waits for "Retry" in
 * the offline banner. Either way the caller's promise simply resolves later,
 * so screens keep their place (tab, search, scroll, open panel).
 * The UI branches on `AppError.kind`, never on message text.
 */
export class Session {
  connection = $state<ConnectionStatus | null>(null);
  catalogue = $state<Catalogue | null>(null);
  /** Set while the sign-in dialog is needed. */
  expired = $state<AppError | null>(null);
  /** Set while the offline banner is shown. */
  offline = $state<AppError | null>(null);
  /** The open connection's offline copy and its sync. */
  sync = $state<SyncState | null>(null);

  private stopWatching: (() => void) | null = null;

  private authWaiters: Waiter[] = [];
  private networkWaiters: Waiter[] = [];

  constructor(readonly backend: Backend) {}

  /** Runs a data call, riding out an expired session or a lost network. */
  async run<T>(call: (backend: Backend) => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await call(this.backend);
      } catch (raw) {
        const error = toAppError(raw);
        if (error.kind === 'unauthorized' && this.connection !== null) {
          await this.wait(this.authWaiters, () => (this.expired = error));
        } else if (error.kind === 'offline') {
          await this.wait(this.networkWaiters, () => (this.offline = error));
        } else {
          throw error;
        }
      }
    }
  }

  /**
   * Why something that needs the server cannot be done now, or null. The
   * copy is still browsable and searchable.
   */
  get offlineReason(): string | null {
    return this.sync?.offline ? "You're offline: this needs the server" : null;
  }

  /** Follows the sync state of the open connection. */
  async watchSync(): Promise<void> {
    this.stopWatching?.();
    this.stopWatching = null;
    try {
      const stop = await this.backend.onSyncState((state) => this.syncChanged(state));
      if (this.connection === null) {
        stop();
        return;
      }
      this.stopWatching = stop;
      this.syncChanged(await this.backend.syncState());
    } catch {
      // No sync state: the screen works without the "as of" line.
      this.sync = null;
    }
  }

  private syncChanged(state: SyncState): void {
    // An answer to syncState() can arrive after a later event: keep the newest.
    if (this.sync !== null && state.revision < this.sync.revision) return;
    this.sync = state;
    // The sync found the session over: ask to sign in again now, not at
    // the next change the user tries.
    if (state.sessionEnded && this.connection !== null && this.expired === null) {
      this.expired = { kind: 'unauthorized', message: state.error ?? 'Your session has ended.' };
    }
  }

  /** A fresh connection (sign in, switch, demo): the old one's state goes. */
  opened(connection: ConnectionStatus): void {
    this.connection = connection;
    this.catalogue = null;
    this.sync = null;
    void this.watchSync();
    this.giveUpAll(this.authWaiters, 'unauthorized');
    this.expired = null;
  }

  /** The sign-in dialog succeeded: waiting calls run again. */
  renewed(connection: ConnectionStatus): void {
    this.connection = connection;
    this.expired = null;
    void this.watchSync();
    const waiters = this.authWaiters;
    this.authWaiters = [];
    for (const waiter of waiters) waiter.resume();
  }

  /** Signed out (or gave up on the dialog): waiting calls fail. */
  closed(): void {
    this.connection = null;
    this.catalogue = null;
    this.stopWatching?.();
    this.stopWatching = null;
    this.sync = null;
    this.giveUpAll(this.authWaiters, 'unauthorized');
    this.expired = null;
  }

  /** "Retry" in the offline banner. */
  retryNetwork(): void {
    this.offline = null;
    const waiters = this.networkWaiters;
    this.networkWaiters = [];
    for (const waiter of waiters) waiter.resume();
  }

  /** Dismissing the offline banner: waiting calls fail and show their own errors. */
  dismissOffline(): void {
    const error = this.offline;
    this.offline = null;
    if (error !== null) this.giveUpAll(this.networkWaiters, error.kind, error.message);
  }

  async loadCatalogue(): Promise<Catalogue> {
    const catalogue = await this.run((b) => b.catalogue());
    this.catalogue = catalogue;
    return catalogue;
  }

  private wait(waiters: Waiter[], show: () => void): Promise<void> {
    return new Promise<void>((resume, giveUp) => {
      waiters.push({ resume, giveUp });
      show();
    });
  }

  private giveUpAll(waiters: Waiter[], kind: AppError['kind'], message = 'Signed out.'): void {
    const pending = waiters.splice(0, waiters.length);
    for (const waiter of pending) waiter.giveUp({ kind, message });
  }
}
