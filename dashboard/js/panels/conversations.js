// Conversations waiting for the agency's answer (staff): premium and overdue first, with
// the reply promise; live through messageEvents (a message, a read, a promise missed).
import { clientNames, debounce, readThenListen } from "./common.js";

const WAITING = `query Waiting {
  conversationsAwaitingReply(first: 20) {
    premium overdue
    conversation {
      id waitingSince responseDueAt client { id }
      lastMessage { id body sentAt fromAgency }
    }
  }
}`;
const EVENTS = `subscription MessageEvents($since: String) {
  messageEvents(since: $since) { cursor type occurredAt conversation { id } }
}`;
const EXCERPT = 120;

export default {
  id: "conversations",
  title: "Messages en attente de réponse",
  roles: ["ADMIN", "ADVISOR"],
  requires: ["conversationsAwaitingReply", "messageEvents"],

  async mount(body, ctx) {
    const list = ctx.el("ul", { class: "panel-list conversations", "aria-live": "polite" });
    const empty = ctx.el("p", { class: "muted" }, "Aucun message en attente.");
    body.append(list, empty);

    async function load() {
      const waiting = (await ctx.gql(WAITING)).conversationsAwaitingReply;
      const name = await clientNames(ctx, waiting.map((w) => w.conversation.client.id));
      list.replaceChildren(
        ...waiting.map(({ conversation: c, premium, overdue }) => {
          const text = c.lastMessage?.body ?? "";
          return ctx.el(
            "li",
            { class: overdue ? "conversation overdue" : "conversation", "data-conversation": c.id },
            ctx.el("strong", {}, name(c.client.id)),
            premium ? ctx.el("span", { class: "badge premium" }, "Premium") : null,
            overdue ? ctx.el("span", { class: "badge missed" }, "En retard") : null,
            ctx.el("q", {}, text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text),
            c.responseDueAt
              ? ctx.el(
                  "time",
                  { class: "due", datetime: c.responseDueAt },
                  `${overdue ? "Réponse attendue depuis" : "Réponse avant"} ` +
                    `${ctx.fmt.shortDay(c.responseDueAt)} ${ctx.fmt.time(c.responseDueAt)}`,
                )
              : null,
          );
        }),
      );
      empty.hidden = waiting.length > 0;
    }

    // Every kind changes the list (new message, answer, read, promise missed): read it again.
    const reload = debounce(load);
    await readThenListen(ctx, {
      query: EVENTS,
      field: "messageEvents",
      load,
      onEvent: () => reload(),
    });
    return {};
  },
};
