// Staff view of the day: every visit of the agency, counters, and the live feed.
import { allNodes, gql } from "./api.js";
import { clockSpeed, serverNow } from "./clock.js";
import { dayBounds, el } from "./format.js";
import { applyEvent, EVENT_LABELS, liveStatus, REFETCH_ON } from "./status.js";

const VISIT_FIELDS = `id status scheduledStart scheduledEnd checkedInAt checkedOutAt late
  serviceType { label } worker { id displayName } client { id displayName }
  address { line1 postalCode city }`;
// Open anomalies only, and their label: the day's page stays within the cost limit.
const FLAGS = ` anomalies(openOnly: true) { label }`;

const day = (fields) => `query Day($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  interventions(filter: { from: $from, to: $to }, first: $first, after: $after) {
    edges { node { ${fields} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CURSOR = `query Cursor { interventionEventsCursor }`;
const visit = (fields) => `query Visit($id: ID!) { intervention(id: $id) { ${fields} } }`;
const ANOMALY_EVENTS = `subscription Anomalies($since: String) {
  anomalyEvents(since: $since) { cursor type occurredAt interventionId }
}`;
export const EVENTS = `subscription Events($since: String) {
  interventionEvents(since: $since) { cursor type occurredAt intervention { id status } }
}`;
const FEED_SIZE = 50;

export class StaffView {
  constructor(ctx) {
    this.ctx = ctx; // {fmt, live, root}
    this.visits = new Map();
    this.tbody = document.querySelector("#visits tbody");
    this.feed = document.getElementById("feed");
    this.onlyFlagged = false;
    this.fields = VISIT_FIELDS;
    const filter = document.getElementById("filter-flagged");
    filter.addEventListener("click", () => {
      this.onlyFlagged = !this.onlyFlagged;
      filter.setAttribute("aria-pressed", String(this.onlyFlagged));
      this.render();
    });
  }

  async start() {
    document.getElementById("staff").hidden = false;
    // Attendance anomalies show on the board when the server flags them (anomalyEvents).
    this.flags = this.ctx.offered?.has("anomalyEvents") ?? false;
    this.fields = this.flags ? VISIT_FIELDS + FLAGS : VISIT_FIELDS;
    document.getElementById("filter-flagged").hidden = !this.flags;
    // The cursor is read before the day: an event in between is replayed, never lost.
    const { interventionEventsCursor: cursor } = await gql(CURSOR);
    await this.loadDay();
    this.render();
    this.sub = this.ctx.live.subscribe({
      query: EVENTS,
      field: "interventionEvents",
      cursor,
      onEvent: (event) => this.onEvent(event),
      onReset: () => this.reload(),
    });
    if (this.flags) {
      this.flagSub = this.ctx.live.subscribe({
        query: ANOMALY_EVENTS,
        field: "anomalyEvents",
        cursor,
        onEvent: (event) => this.onAnomaly(event),
        onReset: () => this.reload(),
      });
    }
    // "Late by" keeps counting (faster on the demo's clock); past midnight the page
    // moves on to the new day.
    this.tick = setInterval(
      () => {
        if (serverNow() >= this.bounds[1]) this.reload().catch(() => {});
        else this.render();
      },
      Math.max(1000, 30_000 / clockSpeed()),
    );
  }

  stop() {
    clearInterval(this.tick);
    document.getElementById("staff").hidden = true;
  }

  async reload() {
    const { interventionEventsCursor: cursor } = await gql(CURSOR);
    await this.loadDay();
    this.sub.setCursor(cursor);
    this.flagSub?.setCursor(cursor);
    this.render();
  }

  async loadDay() {
    const [from, to] = dayBounds(this.ctx.fmt.timeZone);
    this.bounds = [from, to];
    const nodes = await allNodes(
      day(this.fields),
      { from: from.toISOString(), to: to.toISOString() },
      (d) => d.interventions,
    );
    this.visits = new Map(nodes.map((v) => [v.id, v]));
    document.getElementById("day-title").textContent =
      `Journée du ${this.ctx.fmt.day(from.toISOString())}`;
  }

  isToday(visit) {
    const start = new Date(visit.scheduledStart);
    return start >= this.bounds[0] && start < this.bounds[1];
  }

  async onEvent(event) {
    const id = event.intervention?.id;
    const visit = id && this.visits.get(id);
    if (visit) {
      applyEvent(visit, event);
      this.render();
    }
    this.addToFeed(event, visit);
    for (const listener of this.ctx.listeners) listener(event);
    if (id && (!visit || REFETCH_ON.has(event.type))) await this.refetch(id);
  }

  async refetch(id) {
    let fresh = null;
    try {
      fresh = (await gql(visit(this.fields), { id })).intervention;
    } catch {
      fresh = null; // gone or no longer ours
    }
    if (fresh && this.isToday(fresh)) this.visits.set(id, fresh);
    else this.visits.delete(id);
    this.render();
  }

  async onAnomaly(event) {
    const id = event.interventionId;
    const known = id && this.visits.get(id);
    this.addToFeed({ ...event, intervention: id ? { id } : null }, known);
    if (known) await this.refetch(id);
  }

  addToFeed(event, visit) {
    document.getElementById("feed-empty").hidden = true;
    const who = visit?.worker?.displayName;
    const where = visit ? visit.client.displayName : null;
    const text = [EVENT_LABELS[event.type] ?? event.type, who, where && `chez ${where}`]
      .filter(Boolean)
      .join(" · ");
    const item = el(
      "li",
      { class: `feed-item ${event.type.toLowerCase()}`, "data-type": event.type },
      el("time", { datetime: event.occurredAt }, this.ctx.fmt.time(event.occurredAt)),
      " ",
      text,
    );
    this.feed.prepend(item);
    while (this.feed.children.length > FEED_SIZE) this.feed.lastElementChild.remove();
  }

  render() {
    const now = serverNow();
    const fmt = this.ctx.fmt;
    const open = (v) => v.anomalies ?? [];
    const flagged = [...this.visits.values()].filter((v) => open(v).length > 0);
    const shown = this.onlyFlagged ? flagged : [...this.visits.values()];
    const rows = shown.sort((a, b) =>
      a.scheduledStart === b.scheduledStart
        ? (a.worker?.displayName ?? "").localeCompare(b.worker?.displayName ?? "")
        : a.scheduledStart < b.scheduledStart
          ? -1
          : 1,
    );
    const counts = { "on-site": 0, late: 0, done: 0, scheduled: 0, missed: 0, cancelled: 0 };
    const trs = rows.map((visit) => {
      const status = liveStatus(visit, fmt, now);
      counts[status.key] += 1;
      const address = `${visit.address.line1}, ${visit.address.postalCode} ${visit.address.city}`;
      const flags = open(visit);
      const flag = flags.length
        ? el("span", { class: "badge flag", title: flags.map((a) => a.label).join(", ") },
            `⚑ ${flags.map((a) => a.label).join(", ")}`)
        : null;
      return el(
        "tr",
        { "data-visit": visit.id, "data-status": status.key, "data-flagged": String(flags.length > 0) },
        el("td", { class: "slot" }, fmt.slot(visit)),
        el("td", {}, visit.client.displayName || "—"),
        el("td", {}, address),
        el("td", {}, visit.worker?.displayName ?? "Non attribuée"),
        el("td", {}, visit.serviceType.label),
        el("td", {}, el("span", { class: `badge ${status.key}` }, status.label), flag ? " " : null, flag),
      );
    });
    document.getElementById("count-flagged").textContent = flagged.length;
    this.tbody.replaceChildren(...trs);
    document.getElementById("visits-empty").hidden = rows.length > 0;
    document.getElementById("count-on-site").textContent = counts["on-site"];
    document.getElementById("count-late").textContent = counts.late;
    document.getElementById("count-done").textContent = counts.done;
    document.getElementById("count-remaining").textContent = counts.scheduled;
    document.getElementById("count-missed").textContent = counts.missed;
  }

  /** What panels may use to name things. */
  workerName(workerId) {
    for (const v of this.visits.values()) if (v.worker?.id === workerId) return v.worker.displayName;
    return null;
  }

  /** The name of a client with a visit today, or null. */
  clientName(clientId) {
    for (const v of this.visits.values()) if (v.client.id === clientId) return v.client.displayName;
    return null;
  }
}
