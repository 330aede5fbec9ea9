// The client's requests and the agency's decisions, live through requestEvents.
import { KIND_LABELS, readThenListen } from "./common.js";

const REQUEST_FIELDS = `id kind status scheduledStart scheduledEnd createdAt decidedAt
  decisionReason autoApproved`;
const MINE = `query MyRequests { myChangeRequests(first: 10) { edges { node { ${REQUEST_FIELDS} } } } }`;
const EVENTS = `subscription RequestEvents($since: String) {
  requestEvents(since: $since) { cursor type occurredAt request { ${REQUEST_FIELDS} } }
}`;
const STATUS = {
  PENDING: "En attente",
  APPROVED: "Acceptée",
  REJECTED: "Refusée",
  WITHDRAWN: "Retirée",
};
const BADGE = { PENDING: "scheduled", APPROVED: "done", REJECTED: "missed", WITHDRAWN: "cancelled" };
const SHOWN = 10;

export default {
  id: "my-requests",
  title: "Mes demandes",
  roles: ["CLIENT"],
  requires: ["myChangeRequests", "requestEvents"],

  async mount(body, ctx) {
    const list = ctx.el("ul", { class: "panel-list requests", "aria-live": "polite" });
    const empty = ctx.el("p", { class: "muted" }, "Aucune demande récente.");
    body.append(list, empty);
    let requests = new Map();

    function render() {
      const items = [...requests.values()]
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
        .slice(0, SHOWN);
      list.replaceChildren(
        ...items.map((r) =>
          ctx.el(
            "li",
            { class: "request", "data-request": r.id, "data-status": r.status },
            ctx.el("strong", {}, KIND_LABELS[r.kind] ?? r.kind),
            r.scheduledStart
              ? ctx.el(
                  "span",
                  { class: "detail" },
                  `${ctx.fmt.shortDay(r.scheduledStart)}, ${r.scheduledEnd ? ctx.fmt.slot(r) : ctx.fmt.time(r.scheduledStart)}`,
                )
              : null,
            ctx.el("span", { class: `badge ${BADGE[r.status] ?? ""}` }, STATUS[r.status] ?? r.status),
            r.decisionReason ? ctx.el("q", {}, r.decisionReason) : null,
          ),
        ),
      );
      empty.hidden = items.length > 0;
    }

    await readThenListen(ctx, {
      query: EVENTS,
      field: "requestEvents",
      async load() {
        const data = await ctx.gql(MINE);
        requests = new Map(data.myChangeRequests.edges.map(({ node }) => [node.id, node]));
        render();
      },
      onEvent(event) {
        if (!event.request) return;
        requests.set(event.request.id, event.request);
        render();
      },
    });
    return {};
  },
};
