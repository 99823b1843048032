/**
 * A newest-first list read page by page (the outbox, the audit log, usage
 * events): `more()` asks for the page before the last one shown.
 */
import { toAppError } from './backend';

export interface Page<T> {
  total: number;
  nextBefore: number | null;
  items: T[];
}

export class PagedList<T> {
  items = $state<T[]>([]);
  total = $state(0);
  next = $state<number | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly fetch: (before: number | null) => Promise<Page<T>>) {}

  async more(): Promise<void> {
    this.error = null;
    try {
      const page = await this.fetch(this.next);
      this.items = [...this.items, ...page.items];
      this.total = page.total;
      this.next = page.nextBefore;
      this.loaded = true;
    } catch (raw) {
      this.error = toAppError(raw).message;
    }
  }
}
