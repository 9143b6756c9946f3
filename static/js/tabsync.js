// Several tabs act as one: messages go over a BroadcastChannel, or, where there is none, through `storage`
// events. Tokens only ever travel over the BroadcastChannel; nothing secret is written to localStorage.

const CHANNEL = "ndfstudio-session";
const STORAGE_KEY = "ndfstudio-session-message";

export const TAB_ID = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** Strip what must never touch storage (see the fallback below). */
export function storageSafe(message) {
  const { access, ...rest } = message; // eslint-disable-line no-unused-vars
  return rest;
}

export function createTabSync({ win = globalThis } = {}) {
  const listeners = new Set();
  const deliver = (message) => {
    if (!message || typeof message !== "object" || message.from === TAB_ID) return;
    for (const fn of listeners) fn(message);
  };
  let channel = null;
  if (typeof win.BroadcastChannel === "function") {
    channel = new win.BroadcastChannel(CHANNEL);
    channel.onmessage = (event) => deliver(event.data);
  } else if (win.localStorage && typeof win.addEventListener === "function") {
    win.addEventListener("storage", (event) => {
      if (event.key !== STORAGE_KEY || !event.newValue) return;
      try {
        deliver(JSON.parse(event.newValue));
      } catch {
        /* a foreign value: ignore */
      }
    });
  }
  return {
    usesChannel: channel !== null,
    post(message) {
      const full = { ...message, from: TAB_ID, sentAt: Date.now() };
      if (channel) {
        channel.postMessage(full);
      } else if (win.localStorage) {
        try {
          // A fresh nonce makes every write an event, even when the same message repeats.
          win.localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...storageSafe(full), nonce: Math.random() }));
        } catch {
          /* storage full or disabled: this tab stays on its own */
        }
      }
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
