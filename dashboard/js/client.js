// Client view: next visits, a live banner on arrival and departure, recent history.
import { allNodes, gql } from "./api.js";
import { el } from "./format.js";
import { applyEvent, REFETCH_ON } from "./status.js";
import { EVENTS } from "./staff.js";

const FIELDS = `id status scheduledStart scheduledEnd checkedInAt checkedOutAt
  serviceType { label } worker { displayName }`;
const NEXT = `query Next($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  interventions(filter: { from: $from, to: $to, status: [SCHEDULED, IN_PROGRESS] },
                first: $first, after: $after) {
    edges { node { ${FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const HISTORY = `query History { interventionHistory(first: 5) { edges { node { ${FIELDS} } } } }`;
const CURSOR = `query Cursor { interventionEventsCursor }`;
const AHEAD_DAYS = 14;
const STATUS = {
  SCHEDULED: "Prévu",
  IN_PROGRESS: "En cours",
  COMPLETED: "Réalisé",
  CANCELLED: "Annulé",
  MISSED: "Non réalisé",
};

export class ClientView {
  constructor(ctx) {
    this.ctx = ctx;
    this.next = new Map();
  }

  async start() {
    document.getElementById("client").hidden = false;
    const { interventionEventsCursor: cursor } = await gql(CURSOR);
    await this.load();
    this.sub = this.ctx.live.subscribe({
      query: EVENTS,
      field: "interventionEvents",
      cursor,
      onEvent: (event) => this.onEvent(event),
      onReset: async () => {
        const fresh = await gql(CURSOR);
        await this.load();
        this.sub.setCursor(fresh.interventionEventsCursor);
      },
    });
  }

  stop() {
    document.getElementById("client").hidden = true;
  }

  async load() {
    const from = new Date(Date.now() - 12 * 3600 * 1000); // today's visit in progress too
    const to = new Date(Date.now() + AHEAD_DAYS * 24 * 3600 * 1000);
    const [next, history] = await Promise.all([
      allNodes(NEXT, { from: from.toISOString(), to: to.toISOString() }, (d) => d.interventions, 2),
      gql(HISTORY),
    ]);
    this.next = new Map(next.map((v) => [v.id, v]));
    this.history = history.interventionHistory.edges.map((e) => e.node);
    this.render();
  }

  async onEvent(event) {
    const visit = this.next.get(event.intervention?.id);
    if (visit) applyEvent(visit, event);
    const worker = visit?.worker?.displayName ?? "L’intervenant";
    const fmt = this.ctx.fmt;
    if (event.type === "ARRIVED") {
      this.banner(`${worker} est arrivé·e chez vous à ${fmt.time(event.occurredAt)}.`, "arrived");
    } else if (event.type === "DEPARTED") {
      this.banner(`${worker} est reparti·e à ${fmt.time(event.occurredAt)}. Merci !`, "departed");
    }
    if (!visit || REFETCH_ON.has(event.type) || event.type === "DEPARTED") await this.load();
    else this.render();
  }

  banner(text, kind) {
    const banner = document.getElementById("banner");
    banner.className = `banner ${kind}`;
    banner.textContent = text;
    banner.hidden = false;
  }

  item(visit) {
    const fmt = this.ctx.fmt;
    return el(
      "li",
      { class: "visit", "data-visit": visit.id, "data-status": visit.status },
      el("strong", {}, `${fmt.shortDay(visit.scheduledStart)}, ${fmt.slot(visit)}`),
      el("span", {}, visit.serviceType.label),
      el("span", {}, visit.worker ? `avec ${visit.worker.displayName}` : "intervenant à confirmer"),
      el("span", { class: `badge ${visit.status.toLowerCase()}` }, STATUS[visit.status] ?? visit.status),
    );
  }

  render() {
    const next = [...this.next.values()]
      .filter((v) => v.status === "SCHEDULED" || v.status === "IN_PROGRESS")
      .sort((a, b) => (a.scheduledStart < b.scheduledStart ? -1 : 1));
    document.getElementById("next").replaceChildren(...next.map((v) => this.item(v)));
    document.getElementById("next-empty").hidden = next.length > 0;
    document.getElementById("history").replaceChildren(...this.history.map((v) => this.item(v)));
    document.getElementById("history-empty").hidden = this.history.length > 0;
  }
}
