// Runs inside the app's webview (bundled by esbuild, sent through WebDriver's
// "execute script"): finds elements the way assistive technology sees them,
// by ARIA role and accessible name, using dom-accessibility-api, the same
// computation Testing Library's getByRole uses.
import { computeAccessibleName, getRole, isInaccessible } from 'dom-accessibility-api';

// Landmarks that only count as such when they have a name.
const NAMED_ONLY = new Set(['region', 'form']);

function roleOf(element) {
  // A password field is a text box to its user (and to Playwright's and
  // WebKit's accessibility trees), though ARIA in HTML gives it no role.
  if (element.localName === 'input' && element.type === 'password') return 'textbox';
  const role = getRole(element);
  if (role === null) return null;
  // An explicit role attribute may list fallbacks: the first one wins.
  const first = role.trim().split(/\s+/)[0];
  if (NAMED_ONLY.has(first) && element.getAttribute('role') === null) {
    return computeAccessibleName(element) === '' ? null : first;
  }
  return first;
}

function normalise(text) {
  return text.replace(/\s+/g, ' ').trim();
}

/** Whether a person could see it: in the accessibility tree and laid out. */
function perceivable(element) {
  if (isInaccessible(element)) return false;
  if (element.closest('[inert]')) return false;
  return element.getClientRects().length > 0;
}

function nameMatches(name, want) {
  if (want === undefined || want === null) return true;
  if (typeof want === 'string') return name === want;
  return new RegExp(want.source, want.flags).test(name);
}

/** Roles such as status and alert take no name from their content: read it. */
function textMatches(element, want) {
  if (want === undefined || want === null) return true;
  const text = normalise(element.innerText ?? element.textContent ?? '');
  if (typeof want === 'string') return text.includes(want);
  return new RegExp(want.source, want.flags).test(text);
}

/**
 * Elements with `role` whose accessible name matches `name` (a string for an
 * exact match, or { source, flags } for a regular expression) and whose text
 * matches `text` (a substring or { source, flags }), inside `within` (an
 * element, or null for the whole document).
 */
function query({ role, name, text }, within) {
  const root = within ?? document;
  const found = [];
  for (const element of root.querySelectorAll('*')) {
    if (roleOf(element) !== role) continue;
    if (!perceivable(element)) continue;
    const accessibleName = normalise(computeAccessibleName(element));
    if (!nameMatches(accessibleName, name)) continue;
    if (!textMatches(element, text)) continue;
    found.push(element);
  }
  return found;
}

/** What a person reads off an element: its state and, for rows, its cells. */
function describe(element) {
  const cells = [];
  for (const cell of element.querySelectorAll('*')) {
    const role = roleOf(cell);
    if (role !== 'gridcell' && role !== 'cell' && role !== 'columnheader') continue;
    // innerText is the text as laid out: a name and an e-mail stacked in
    // one cell come out as two lines.
    cells.push(cell.innerText.split('\n').map(normalise).filter(Boolean));
  }
  const attribute = (name) => element.getAttribute(name);
  return {
    role: roleOf(element),
    name: normalise(computeAccessibleName(element)),
    text: normalise(element.innerText ?? element.textContent ?? ''),
    value: 'value' in element ? element.value : null,
    checked: attribute('aria-checked') ?? ('checked' in element ? String(element.checked) : null),
    selected: attribute('aria-selected'),
    disabled: element.matches(':disabled') || attribute('aria-disabled') === 'true',
    busy: attribute('aria-busy') === 'true',
    focused: document.activeElement === element,
    rowCount: attribute('aria-rowcount'),
    cells,
  };
}

/**
 * The data rows of a grid as a person reads them, in order, with the row
 * count the grid announces (aria-rowcount counts the header row too).
 */
function gridRows(grid) {
  const rows = [];
  for (const row of grid.querySelectorAll('[role="row"]')) {
    if (!perceivable(row)) continue;
    const description = describe(row);
    if (row.querySelector('[role="columnheader"]')) continue;
    rows.push({ element: row, ...description });
  }
  const count = grid.getAttribute('aria-rowcount');
  return {
    busy: grid.getAttribute('aria-busy') === 'true',
    total: count === null || Number(count) < 0 ? null : Number(count) - 1,
    rows,
  };
}

/**
 * Where a click would land: the element's box, and whether the element (and
 * not something over it) is what is hit at its centre. A box that moves
 * between two looks is still animating into place.
 */
function target(element) {
  element.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  const rect = element.getBoundingClientRect();
  const x = rect.left + rect.width / 2;
  const y = rect.top + rect.height / 2;
  const hit = document.elementFromPoint(x, y);
  return {
    box: [rect.left, rect.top, rect.width, rect.height]
      .map((n) => Math.round(n * 10) / 10)
      .join(','),
    hit: hit !== null && (hit === element || element.contains(hit)),
  };
}

/** The names of everything with a role, for failure messages. */
function inventory(within) {
  const root = within ?? document;
  const seen = [];
  for (const element of root.querySelectorAll('*')) {
    const role = roleOf(element);
    if (role === null || role === 'generic' || role === 'presentation' || role === 'none') continue;
    if (!perceivable(element)) continue;
    if (role === 'row' || role === 'gridcell' || role === 'cell' || role === 'listitem') continue;
    const name = normalise(computeAccessibleName(element));
    seen.push(name === '' ? role : `${role} "${name.slice(0, 60)}"`);
  }
  return seen;
}

window.__rosterA11y = { query, describe, inventory, gridRows, target };
