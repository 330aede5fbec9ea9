// Recent ratings of the agency (staff), newest first; low scores stand out. Live through
// ratingEvents: a new rating or an edited one shows at once.
import { readThenListen } from "./common.js";

const RATING_FIELDS = `id score comment createdAt workerId intervention { id }`;
const RATINGS = `query RecentRatings { ratings(first: 8) { edges { node { ${RATING_FIELDS} } } } }`;
const EVENTS = `subscription RatingEvents($since: String) {
  ratingEvents(since: $since) { cursor occurredAt rating { ${RATING_FIELDS} } }
}`;
const SHOWN = 8;

export default {
  id: "ratings",
  title: "Évaluations récentes",
  roles: ["ADMIN", "ADVISOR"],
  requires: ["ratings", "ratingEvents"],

  async mount(body, ctx) {
    const list = ctx.el("ol", { class: "ratings", "aria-live": "polite" });
    const empty = ctx.el("p", { class: "muted" }, "Aucune évaluation pour l’instant.");
    body.append(list, empty);
    let ratings = new Map(); // id -> rating

    function render() {
      const items = [...ratings.values()]
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
        .slice(0, SHOWN);
      ratings = new Map(items.map((r) => [r.id, r]));
      list.replaceChildren(
        ...items.map((node) =>
          ctx.el(
            "li",
            { class: node.score <= 2 ? "rating low" : "rating", "data-rating": node.id },
            ctx.el(
              "span",
              { class: "stars", role: "img", "aria-label": `${node.score} sur 5` },
              "★".repeat(node.score) + "☆".repeat(5 - node.score),
            ),
            " ",
            ctx.el("span", {}, ctx.workerName(node.workerId) ?? ""),
            " ",
            ctx.el("time", { datetime: node.createdAt }, ctx.fmt.shortDay(node.createdAt)),
            node.comment ? ctx.el("q", {}, node.comment) : null,
          ),
        ),
      );
      empty.hidden = items.length > 0;
    }

    await readThenListen(ctx, {
      query: EVENTS,
      field: "ratingEvents",
      async load() {
        const data = await ctx.gql(RATINGS);
        ratings = new Map(data.ratings.edges.map(({ node }) => [node.id, node]));
        render();
      },
      onEvent(event) {
        if (event.rating) ratings.set(event.rating.id, event.rating);
        render();
      },
    });
    return {};
  },
};
