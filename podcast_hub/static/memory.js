// What this browser remembers about an episode: where the listener was, and their
// "follow along" and "no spoilers" choices. Kept in localStorage, per episode.

const key = (slug) => `podcast-hub:episode:${slug}`;

export function recall(slug) {
  try {
    return JSON.parse(localStorage.getItem(key(slug))) ?? {};
  } catch {
    return {};
  }
}

export function remember(slug, changes) {
  try {
    localStorage.setItem(key(slug), JSON.stringify({ ...recall(slug), ...changes }));
  } catch {
    // Storage full or switched off: the page still works, it just forgets.
  }
}
