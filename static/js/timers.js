// The page's clock and timers as one object, so that a module can be handed a fake one in a unit test.

export const realTimers = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
});
