// Moments of the audio, the same rules as podcast_hub/timecode.py.
const CLOCK = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/;

export function parseTime(text) {
  const value = String(text ?? "").trim();
  if (value === "") return null;
  if (/^\d+$/.test(value)) return Number(value);
  const match = CLOCK.exec(value);
  if (!match) return null;
  const [, hours, minutes, seconds] = match;
  if (Number(seconds) > 59 || (hours !== undefined && Number(minutes) > 59)) return null;
  return Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds);
}

export function formatTime(total) {
  const seconds = Math.max(0, Math.floor(total));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
