// Times of comments. The server writes them in UTC inside <time datetime>, which
// is what a browser without JavaScript shows; here they read as relative times
// ("3 hours ago") with the exact local time on hover.
const UNITS = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["week", 7 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];
const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const exact = new Intl.DateTimeFormat("en", {
  weekday: "short", year: "numeric", month: "short", day: "numeric",
  hour: "numeric", minute: "2-digit", timeZoneName: "short",
});
const EVERY_MS = 60 * 1000;

// How long ago `date` was, in the largest whole unit: "3 hours ago", "yesterday".
export function ago(date, now = Date.now()) {
  const seconds = (date.getTime() - now) / 1000;
  if (Math.abs(seconds) < 45) return "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "minute") {
      return relative.format(Math.trunc(seconds / size) || Math.sign(seconds), unit);
    }
  }
  return "";
}

export function relabel(root = document) {
  for (const time of root.querySelectorAll(".comment-meta time[datetime]")) {
    const date = new Date(time.dateTime);
    if (Number.isNaN(date.getTime())) continue;
    const text = ago(date);
    // Only real changes: the observer below would otherwise wake itself.
    if (time.textContent !== text) time.textContent = text;
    const title = exact.format(date);
    if (time.title !== title) time.title = title;
  }
}

export function setupTimes(root) {
  if (!root) return;
  relabel(root);
  setInterval(() => relabel(root), EVERY_MS);
  new MutationObserver(() => relabel(root)).observe(root, { childList: true, subtree: true });
}
