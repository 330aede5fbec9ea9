// French formatting in the agency's time zone (times are UTC on the wire).
import { serverNow } from "./clock.js";

export function formatter(timeZone) {
  const time = new Intl.DateTimeFormat("fr-FR", { timeZone, hour: "2-digit", minute: "2-digit" });
  const day = new Intl.DateTimeFormat("fr-FR", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
  });
  const short = new Intl.DateTimeFormat("fr-FR", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
  });
  return {
    timeZone,
    time: (iso) => time.format(new Date(iso)),
    day: (iso) => day.format(new Date(iso)),
    shortDay: (iso) => short.format(new Date(iso)),
    slot: (v) => `${time.format(new Date(v.scheduledStart))}–${time.format(new Date(v.scheduledEnd))}`,
  };
}

/** Midnight today and tomorrow in `timeZone`, as Date objects. */
export function dayBounds(timeZone, now = serverNow()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offset = wall - Math.floor(now.getTime() / 1000) * 1000; // zone offset now, in ms
  const midnight = Date.UTC(parts.year, parts.month - 1, parts.day) - offset;
  return [new Date(midnight), new Date(midnight + 24 * 3600 * 1000)];
}

export function minutesBetween(fromIso, to = serverNow()) {
  return Math.max(0, Math.floor((to - new Date(fromIso)) / 60000));
}

export function duration(minutes) {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} h ${String(m).padStart(2, "0")}` : `${h} h`;
}

/** A text node-only element: every server string goes through textContent, never innerHTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
