// Pending change requests of the agency (staff), oldest first, live through requestEvents.
import { clientNames, KIND_LABELS, readThenListen } from "./common.js";

const REQUEST_FIELDS = `id kind status clientId interventionId scheduledStart scheduledEnd
  durationMinutes note late createdAt`;
const PENDING = `query PendingRequests {
  pendingChangeRequests(first: 20) { edges { node { ${REQUEST_FIELDS} } } }
}`;
const EVENTS = `subscription RequestEvents($since: String) {
  requestEvents(since: $since) { cursor type occurredAt request { ${REQUEST_FIELDS} } }
}`;

export default {
  id: "requests",
  title: "Demandes en attente",
  roles: ["ADMIN", "ADVISOR"],
  requires: ["pendingChangeRequests", "requestEvents"],

  async mount(body, ctx) {
    const list = ctx.el("ul", { class: "panel-list requests", "aria-live": "polite" });
    const empty = ctx.el("p", { class: "muted" }, "Aucune demande en attente.");
    body.append(list, empty);
    let pending = new Map(); // id -> request

    async function render() {
      const items = [...pending.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
      const name = await clientNames(ctx, items.map((r) => r.clientId));
      list.replaceChildren(
        ...items.map((r) =>
          ctx.el(
            "li",
            { class: r.late ? "request late" : "request", "data-request": r.id },
            ctx.el("strong", {}, KIND_LABELS[r.kind] ?? r.kind),
            " · ",
            name(r.clientId),
            r.scheduledStart
              ? ctx.el(
                  "span",
                  { class: "detail" },
                  `${ctx.fmt.shortDay(r.scheduledStart)}, ${r.scheduledEnd ? ctx.fmt.slot(r) : ctx.fmt.time(r.scheduledStart)}`,
                )
              : null,
            r.durationMinutes ? ctx.el("span", { class: "detail" }, `${r.durationMinutes} min`) : null,
            r.late ? ctx.el("span", { class: "badge late" }, "Hors délai") : null,
            r.note ? ctx.el("q", {}, r.note) : null,
            ctx.el(
              "time",
              { class: "muted", datetime: r.createdAt },
              `reçue ${ctx.fmt.shortDay(r.createdAt)} à ${ctx.fmt.time(r.createdAt)}`,
            ),
          ),
        ),
      );
      empty.hidden = items.length > 0;
    }

    await readThenListen(ctx, {
      query: EVENTS,
      field: "requestEvents",
      async load() {
        const data = await ctx.gql(PENDING);
        pending = new Map(data.pendingChangeRequests.edges.map(({ node }) => [node.id, node]));
        await render();
      },
      async onEvent(event) {
        const request = event.request;
        if (!request) return; // an absence: no request to show
        if (request.status === "PENDING") pending.set(request.id, request);
        else pending.delete(request.id);
        await render();
      },
    });
    return {};
  },
};
