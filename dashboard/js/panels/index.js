// The optional panels. A panel is one module exporting:
//   { id, title, roles: [...], requires: [root fields], mount(body, ctx) }
// and is shown only to those roles, and only when the server offers every field in
// `requires` (so a page can ship before the feature it shows). Add yours to this list.
import ratings from "./ratings.js";

export const PANELS = [ratings];
