// The client's conversation with its agency: read it, write, and see answers arrive live
// through messageEvents. Messages are plain text: shown with textContent, never as HTML.
import { readThenListen } from "./common.js";

const MESSAGE_FIELDS = `id body sentAt fromAgency author { displayName }`;
const CONVERSATION = `query MyConversation {
  myConversation { id messages(first: 20) { edges { node { ${MESSAGE_FIELDS} } } } }
}`;
const SEND = `mutation SendMessage($input: SendMessageInput!) {
  sendMessage(input: $input) {
    message { ${MESSAGE_FIELDS} }
    userErrors { field message code }
  }
}`;
const READ = `mutation MarkRead { markConversationRead(input: {}) { userErrors { message } } }`;
const EVENTS = `subscription MessageEvents($since: String) {
  messageEvents(since: $since) { cursor type occurredAt message { ${MESSAGE_FIELDS} } }
}`;
const MAX_LENGTH = 4000;

export default {
  id: "my-conversation",
  title: "Messages avec l’agence",
  roles: ["CLIENT"],
  requires: ["myConversation", "messageEvents"],

  async mount(body, ctx) {
    const list = ctx.el("ol", { class: "messages", "aria-live": "polite" });
    const empty = ctx.el("p", { class: "muted" }, "Pas encore de message.");
    const field = ctx.el("textarea", {
      id: "message-body",
      name: "body",
      rows: "3",
      maxlength: String(MAX_LENGTH),
      required: true,
    });
    const error = ctx.el("p", { class: "error", role: "alert", hidden: true });
    const button = ctx.el("button", { type: "submit" }, "Envoyer");
    const form = ctx.el(
      "form",
      { class: "message-form", novalidate: true },
      ctx.el("label", { for: "message-body" }, "Votre message"),
      field,
      error,
      button,
    );
    body.append(list, empty, form);
    const messages = new Map(); // id -> message

    function render() {
      const items = [...messages.values()].sort((a, b) => (a.sentAt < b.sentAt ? -1 : 1));
      list.replaceChildren(
        ...items.map((m) =>
          ctx.el(
            "li",
            { class: m.fromAgency ? "message agency" : "message mine", "data-message": m.id },
            ctx.el(
              "span",
              { class: "muted" },
              `${m.fromAgency ? (m.author?.displayName ?? "L’agence") : "Vous"} · `,
              ctx.el("time", { datetime: m.sentAt }, `${ctx.fmt.shortDay(m.sentAt)} ${ctx.fmt.time(m.sentAt)}`),
            ),
            ctx.el("p", {}, m.body),
          ),
        ),
      );
      empty.hidden = items.length > 0;
    }

    const markRead = () => ctx.gql(READ).catch(() => {});

    form.addEventListener("submit", async (submit) => {
      submit.preventDefault();
      const text = field.value.trim();
      error.hidden = true;
      if (!text) {
        error.textContent = "Écrivez votre message.";
        error.hidden = false;
        return;
      }
      button.disabled = true;
      try {
        const { sendMessage } = await ctx.gql(SEND, { input: { body: text } });
        if (sendMessage.userErrors.length) {
          error.textContent = sendMessage.userErrors[0].message;
          error.hidden = false;
          return;
        }
        messages.set(sendMessage.message.id, sendMessage.message);
        field.value = "";
        render();
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
      } finally {
        button.disabled = false;
      }
    });

    await readThenListen(ctx, {
      query: EVENTS,
      field: "messageEvents",
      async load() {
        const data = await ctx.gql(CONVERSATION);
        messages.clear();
        for (const { node } of data.myConversation?.messages.edges ?? []) messages.set(node.id, node);
        render();
        if (data.myConversation) await markRead();
      },
      async onEvent(event) {
        if (event.type !== "MESSAGE_SENT" || !event.message) return;
        messages.set(event.message.id, event.message);
        render();
        if (event.message.fromAgency) await markRead();
      },
    });
    return {};
  },
};
