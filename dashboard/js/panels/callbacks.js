// Premium call-backs waiting (staff): urgent first, then the soonest due; a missed due
// time stands out. Live through callbackEvents.
import { debounce, readThenListen } from "./common.js";

const QUEUE = `query CallbackQueue {
  callbackQueue(first: 10) { id clientName topic urgency dueAt overdue phone }
}`;
const EVENTS = `subscription CallbackEvents($since: String) {
  callbackEvents(since: $since) { cursor type request { id } }
}`;
const TOPIC = {
  VISIT: "Intervention",
  BILLING: "Facturation",
  TAX_CREDIT: "Crédit d’impôt",
  CLAIM: "Sinistre",
  ACCOUNT: "Compte",
  OTHER: "Autre",
};

export default {
  id: "callbacks",
  title: "Rappels premium",
  roles: ["ADMIN", "ADVISOR"],
  requires: ["callbackQueue", "callbackEvents"],

  async mount(body, ctx) {
    const list = ctx.el("ol", { class: "callbacks", "aria-live": "polite" });
    const empty = ctx.el("p", { class: "muted" }, "Aucun rappel en attente.");
    body.append(list, empty);

    async function load() {
      const { callbackQueue: queue } = await ctx.gql(QUEUE);
      list.replaceChildren(
        ...queue.map((request) =>
          ctx.el(
            "li",
            {
              "data-callback": request.id,
              class: [request.urgency === "URGENT" ? "urgent" : "", request.overdue ? "overdue" : ""]
                .join(" ")
                .trim(),
            },
            ctx.el("strong", {}, request.clientName),
            ` — ${TOPIC[request.topic] ?? request.topic} · ${request.phone} `,
            ctx.el(
              "span",
              { class: "due" },
              request.overdue
                ? `en retard (promis à ${ctx.fmt.time(request.dueAt)})`
                : `avant ${ctx.fmt.shortDay(request.dueAt)} ${ctx.fmt.time(request.dueAt)}`,
            ),
          ),
        ),
      );
      empty.hidden = queue.length > 0;
    }

    const reload = debounce(load);
    await readThenListen(ctx, { query: EVENTS, field: "callbackEvents", load, onEvent: reload });
    return {};
  },
};
