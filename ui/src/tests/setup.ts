// jsdom lacks a few browser APIs the UI (and bits-ui) use; give them harmless stand-ins.
if (typeof window.matchMedia !== 'function') {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

if (typeof Element.prototype.scrollIntoView !== 'function') {
  Element.prototype.scrollIntoView = () => {};
}

if (typeof Element.prototype.hasPointerCapture !== 'function') {
  Element.prototype.hasPointerCapture = () => false;
  Element.prototype.releasePointerCapture = () => {};
  Element.prototype.setPointerCapture = () => {};
}

// jsdom has no layout: every box is 0×0 at the origin, so floating-ui (under
// bits-ui's menus, selects and tooltips) would consider every anchor hidden and
// keep the floating content invisible. Give boxes and the viewport a size.
Element.prototype.getBoundingClientRect = function getBoundingClientRect(): DOMRect {
  return {
    x: 100,
    y: 100,
    top: 100,
    left: 100,
    right: 220,
    bottom: 124,
    width: 120,
    height: 24,
    toJSON() {
      return this;
    },
  } as DOMRect;
};
// A laid-out element has at least one box; bits-ui treats none as "anchor gone".
Element.prototype.getClientRects = function getClientRects(): DOMRectList {
  const rects = [this.getBoundingClientRect()];
  return Object.assign(rects, {
    item: (index: number) => rects[index] ?? null,
  }) as unknown as DOMRectList;
};
for (const [property, value] of [
  ['clientWidth', 1200],
  ['clientHeight', 800],
  ['scrollWidth', 1200],
  ['scrollHeight', 800],
] as const) {
  Object.defineProperty(HTMLElement.prototype, property, { configurable: true, get: () => value });
}

// Nothing resizes in jsdom; floating-ui's autoUpdate still wants the API.
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}
