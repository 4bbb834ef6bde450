/** Times as the page shows them: durations in words, route ages beside their exact times. */

/** "3 h 4 min" from milliseconds. */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const min = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${hours} h`;
  if (hours > 0) return `${hours} h ${min} min`;
  if (min > 0) return `${min} min ${s % 60} s`;
  return `${s} s`;
}

/**
 * How long ago an ISO-8601 time was, from `now` (ms since the epoch): "3 h 4 min"; "—" when
 * unknown (null or unreadable).
 */
export function agoText(iso: string | null, now: number): string {
  const t = iso === null ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? '—' : durationText(now - t);
}
