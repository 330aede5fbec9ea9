// Pending change requests of the agency (staff), oldest first, with the rules as they
// stand now; approve or reject them here. Live through requestEvents.
import { clientNames, debounce, KIND_LABELS, readThenListen } from "./common.js";

const PENDING = `query PendingRequests {
  pendingChangeRequests(first: 20) {
    edges { node {
      id kind clientId scheduledStart scheduledEnd durationMinutes note late createdAt
      checks { rule passed message }
    } }
  }
}`;
const EVENTS = `subscription RequestEvents($since: String) {
  requestEvents(since: $since) { cursor type occurredAt request { id status } }
}`;
const REVIEW = `mutation Review($input: ReviewChangeRequestInput!) {
  reviewChangeRequest(input: $input) {
    request { id status }
    userErrors { field message code }
  }
}`;
const MAX_REASON = 500;

export default {
  id: "requests",
  title: "Demandes en attente",
  roles: ["ADMIN", "ADVISOR"],
  requires: ["pendingChangeRequests", "requestEvents"],

  async mount(body, ctx) {
    const list = ctx.el("ul", { class: "panel-list requests" });
    const empty = ctx.el("p", { class: "muted" }, "Aucune demande en attente.");
    const status = ctx.el("p", { class: "visually-hidden", role: "status" });
    body.append(list, empty, status);

    async function decide(request, decision, reason, error) {
      const input = { requestId: request.id, decision, reason };
      const { reviewChangeRequest: result } = await ctx.gql(REVIEW, { input });
      if (result.userErrors.length) {
        error.textContent = result.userErrors[0].message;
        error.hidden = false;
        return;
      }
      status.textContent = decision === "APPROVE" ? "Demande acceptée." : "Demande refusée.";
      await load();
    }

    function item(r, name) {
      const id = `reason-${r.id}`;
      const reason = ctx.el("input", { id, type: "text", maxlength: String(MAX_REASON) });
      const error = ctx.el("p", { class: "error", role: "alert", hidden: true });
      const what = `la demande de ${name(r.clientId)} (${(KIND_LABELS[r.kind] ?? r.kind).toLowerCase()})`;
      const approve = ctx.el(
        "button",
        { type: "button", class: "small", "aria-label": `Accepter ${what}` },
        "Accepter",
      );
      const reject = ctx.el(
        "button",
        { type: "button", class: "small secondary", "aria-label": `Refuser ${what}` },
        "Refuser",
      );
      const act = (decision) => async () => {
        error.hidden = true;
        if (decision === "REJECT" && !reason.value.trim()) {
          error.textContent = "Indiquez le motif du refus : le client le lira.";
          error.hidden = false;
          reason.focus();
          return;
        }
        approve.disabled = reject.disabled = true;
        try {
          await decide(r, decision, reason.value.trim(), error);
        } catch (failure) {
          error.textContent = failure.message;
          error.hidden = false;
        } finally {
          approve.disabled = reject.disabled = false;
        }
      };
      approve.addEventListener("click", act("APPROVE"));
      reject.addEventListener("click", act("REJECT"));
      const when = r.scheduledStart
        ? `${ctx.fmt.shortDay(r.scheduledStart)}, ${r.scheduledEnd ? ctx.fmt.slot(r) : ctx.fmt.time(r.scheduledStart)}`
        : null;
      const failed = r.checks.filter((c) => !c.passed);
      return ctx.el(
        "li",
        { class: r.late ? "request late" : "request", "data-request": r.id },
        ctx.el("strong", {}, KIND_LABELS[r.kind] ?? r.kind),
        " · ",
        name(r.clientId),
        when ? ctx.el("span", { class: "detail" }, when) : null,
        r.durationMinutes ? ctx.el("span", { class: "detail" }, `${r.durationMinutes} min`) : null,
        r.late ? ctx.el("span", { class: "badge late" }, "Hors délai") : null,
        r.note ? ctx.el("q", {}, r.note) : null,
        failed.length
          ? ctx.el("ul", { class: "checks" }, ...failed.map((c) => ctx.el("li", {}, c.message)))
          : null,
        ctx.el(
          "time",
          { class: "muted", datetime: r.createdAt },
          `reçue ${ctx.fmt.shortDay(r.createdAt)} à ${ctx.fmt.time(r.createdAt)}`,
        ),
        ctx.el(
          "div",
          { class: "decision" },
          ctx.el("label", { for: id }, "Motif en cas de refus"),
          reason,
          error,
          ctx.el("div", { class: "actions" }, approve, reject),
        ),
      );
    }

    async function load() {
      const data = await ctx.gql(PENDING);
      const pending = data.pendingChangeRequests.edges.map((e) => e.node);
      const name = await clientNames(ctx, pending.map((r) => r.clientId));
      // A reason being typed survives a refresh of the list.
      const typing = document.activeElement?.closest?.("[data-request]")?.dataset.request;
      const kept = new Map(
        [...list.querySelectorAll("[data-request]")].map((li) => [li.dataset.request, li]),
      );
      list.replaceChildren(
        ...pending.map((r) => (r.id === typing && kept.has(r.id) ? kept.get(r.id) : item(r, name))),
      );
      empty.hidden = pending.length > 0;
    }

    // The rules are evaluated as of now in the pending list only: read it again on an event.
    const reload = debounce(load);
    await readThenListen(ctx, { query: EVENTS, field: "requestEvents", load, onEvent: () => reload() });
    return {};
  },
};
