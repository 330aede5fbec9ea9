// The optional panels. A panel is one module exporting:
//   { id, title, roles: [...], requires: [root fields], mount(body, ctx) }
// and is shown only to those roles, and only when the server offers every field in
// `requires` (so a page can ship before the feature it shows). Add yours to this list.
import callbacks from "./callbacks.js";
import claims from "./claims.js";
import conversations from "./conversations.js";
import myConversation from "./my-conversation.js";
import myRequests from "./my-requests.js";
import ratings from "./ratings.js";
import requests from "./requests.js";

export const PANELS = [
  requests,
  conversations,
  callbacks,
  claims,
  ratings,
  myConversation,
  myRequests,
];
