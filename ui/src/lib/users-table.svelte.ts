import type { AppError } from './bindings/AppError';
import type { Sort } from './bindings/Sort';
import type { Tab } from './bindings/Tab';
import type { TabCounts } from './bindings/TabCounts';
import type { UserRow } from './bindings/UserRow';
import type { UsersWindow } from './bindings/UsersWindow';
import type { WindowRequest } from './bindings/WindowRequest';

/** Rows per request: about two screens of the 800-pixel window. */
export const BLOCK_SIZE = 40;
/** How many fetched blocks to keep; scrolling far away drops the oldest. */
const MAX_BLOCKS = 30;

export type FetchWindow = (request: WindowRequest) => Promise<UsersWindow>;

/** What a table shows: its tab, search, sort and department. */
type Question = Pick<WindowRequest, 'tab' | 'search' | 'sort' | 'department'>;

/** What a new table shows. */
const FIRST_QUESTION: Question = {
  tab: 'active',
  search: '',
  sort: { key: 'name', descending: false },
  department: null,
};

/** The request for one block of rows for `question`. */
function blockRequest(question: Question, block: number): WindowRequest {
  return {
    tab: question.tab,
    search: question.search,
    sort: { ...question.sort },
    offset: block * BLOCK_SIZE,
    limit: BLOCK_SIZE,
    department: question.department,
  };
}

/** A new table's first request: the app asks it as it starts (main.ts). */
export function firstRequest(): WindowRequest {
  return blockRequest(FIRST_QUESTION, 0);
}

interface Block {
  rows: UserRow[];
  generation: number;
}

/**
 * What the Users table shows, fetched from the backend one window at a time.
 *
 * Only rows near the viewport are ever requested. Fetched windows are cached
 * per block; changing the tab, search or sort starts a new generation, and an
 * answer that arrives for an older generation is dropped, so a search typed
 * while a request is in flight never shows the old rows. Rows live in a plain
 * Map: the UI re-reads them when `revision` changes, so nothing tracks
 * thousands of objects deeply.
 *
 * A new search, sort or department keeps the previous answer on screen,
 * marked as loading, until the first answer to the new question replaces it
 * in one go: emptying the table on every key and filling it again a few
 * milliseconds later cost two renders (and a flash of skeleton rows) per
 * keystroke. A new tab starts empty, since another tab's rows under its name
 * would be wrong, not just old.
 */
export class UsersTable {
  tab = $state<Tab>(FIRST_QUESTION.tab);
  /** The search as sent to the backend (the search box debounces into it). */
  search = $state(FIRST_QUESTION.search);
  sort = $state<Sort>({ ...FIRST_QUESTION.sort });
  /** Only users in this department; null: every department. */
  department = $state<string | null>(FIRST_QUESTION.department ?? null);

  /** Rows in the current tab for the current search; null until the first answer. */
  total = $state<number | null>(null);
  counts = $state<TabCounts | null>(null);
  error = $state<AppError | null>(null);
  /** The row the keyboard is on. */
  activeIndex = $state(0);
  /** Where the list is scrolled, in pixels; kept here so the place survives re-renders. */
  scrollTop = $state(0);
  /** Bumped whenever cached rows change. */
  revision = $state(0);
  /**
   * Set while a new search, sort or department waits for its first answer;
   * the rows and counts shown until then are the previous question's.
   */
  loading = $state(false);

  // Deliberately not reactive (no SvelteMap): thousands of rows must not be
  // tracked; `revision` tells the UI when to read them again.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private blocks = new Map<number, Block>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private inFlight = new Map<number, number>();
  private generation = 0;
  /** The cached blocks belong to an older question: drop them all at the first new answer. */
  private replacing = false;
  private lastRange: [number, number] = [0, BLOCK_SIZE];

  constructor(private readonly fetchWindow: FetchWindow) {}

  /** The row at `index`, or undefined while it loads. */
  rowAt(index: number): UserRow | undefined {
    void this.revision;
    const block = this.blocks.get(Math.floor(index / BLOCK_SIZE));
    return block?.rows[index % BLOCK_SIZE];
  }

  setTab(tab: Tab): void {
    if (tab === this.tab) return;
    this.tab = tab;
    this.restart({ keepShown: false });
  }

  setSearch(search: string): void {
    if (search === this.search) return;
    this.search = search;
    this.restart({ keepShown: true });
  }

  setDepartment(department: string | null): void {
    if (department === this.department) return;
    this.department = department;
    this.restart({ keepShown: true });
  }

  /** Clicking a column header: the same column flips direction, another starts ascending. */
  toggleSort(key: Sort['key']): void {
    this.sort =
      this.sort.key === key
        ? { key, descending: !this.sort.descending }
        : { key, descending: false };
    this.restart({ keepShown: true });
  }

  /** Makes sure the rows in [start, end) are loaded or on their way. */
  ensure(start: number, end: number): void {
    this.lastRange = [start, end];
    if (this.error !== null) return;
    const first = Math.floor(Math.max(0, start) / BLOCK_SIZE);
    const last = Math.floor(Math.max(0, end - 1) / BLOCK_SIZE);
    for (let block = first; block <= last; block++) {
      if (this.total !== null && block * BLOCK_SIZE >= this.total && block > 0) break;
      const cached = this.blocks.get(block);
      if (cached?.generation === this.generation) continue;
      if (this.inFlight.get(block) === this.generation) continue;
      void this.load(block);
    }
  }

  /**
   * After a change (save, invite, archive, delete): fetch the current window
   * and counts again, keeping the old rows on screen until the new ones arrive.
   */
  refresh(): void {
    this.generation += 1;
    this.inFlight.clear();
    this.error = null;
    this.ensure(...this.lastRange);
  }

  /** "Retry" after an error. */
  retry(): void {
    this.refresh();
  }

  private restart({ keepShown }: { keepShown: boolean }): void {
    this.generation += 1;
    this.inFlight.clear();
    // After an error nothing is shown to keep.
    if (keepShown && this.error === null && this.total !== null) {
      this.replacing = true;
      this.loading = true;
    } else {
      this.forget();
    }
    this.error = null;
    this.activeIndex = 0;
    this.scrollTop = 0;
    this.lastRange = [0, BLOCK_SIZE];
    this.ensure(0, BLOCK_SIZE);
  }

  /** Empties the table: the skeleton shows until the next answer. */
  private forget(): void {
    this.blocks.clear();
    this.replacing = false;
    this.loading = false;
    this.total = null;
    this.revision += 1;
  }

  private async load(block: number): Promise<void> {
    const generation = this.generation;
    this.inFlight.set(block, generation);
    const request = blockRequest(this, block);
    try {
      const window = await this.fetchWindow(request);
      if (generation !== this.generation) return; // a newer question was asked meanwhile
      this.inFlight.delete(block);
      if (this.replacing) {
        // The first answer to the new question: the old rows go, all at once.
        this.blocks.clear();
        this.replacing = false;
        this.loading = false;
      }
      this.blocks.delete(block);
      this.blocks.set(block, { rows: window.rows, generation });
      this.evict(block);
      this.total = window.total;
      this.counts = window.counts;
      if (this.activeIndex >= window.total) this.activeIndex = Math.max(0, window.total - 1);
      this.revision += 1;
    } catch (error) {
      if (generation !== this.generation) return;
      this.inFlight.delete(block);
      if (this.replacing) this.forget();
      this.error = error as AppError;
    }
  }

  /** Keeps the cache bounded, dropping the blocks farthest from the one just loaded. */
  private evict(near: number): void {
    if (this.blocks.size <= MAX_BLOCKS) return;
    const byDistance = [...this.blocks.keys()].sort(
      (a, b) => Math.abs(b - near) - Math.abs(a - near),
    );
    for (const block of byDistance.slice(0, this.blocks.size - MAX_BLOCKS)) {
      this.blocks.delete(block);
    }
  }
}
