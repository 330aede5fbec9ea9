// Recent ratings of the agency (staff), newest first; low scores stand out.
const RATINGS = `query RecentRatings {
  ratings(first: 8) {
    edges { node { id score comment createdAt workerId intervention { id } } }
  }
}`;
const REFRESH_MS = 60_000; // ratings have no live event (yet): read them again now and then

export default {
  id: "ratings",
  title: "Évaluations récentes",
  roles: ["ADMIN", "ADVISOR"],
  requires: ["ratings"],

  async mount(body, ctx) {
    const list = ctx.el("ol", { class: "ratings" });
    const empty = ctx.el("p", { class: "muted" }, "Aucune évaluation pour l’instant.");
    body.append(list, empty);

    async function refresh() {
      const data = await ctx.gql(RATINGS);
      const items = data.ratings.edges.map(({ node }) =>
        ctx.el(
          "li",
          { class: node.score <= 2 ? "rating low" : "rating", "data-rating": node.id },
          ctx.el(
            "span",
            { class: "stars", "aria-label": `${node.score} sur 5` },
            "★".repeat(node.score) + "☆".repeat(5 - node.score),
          ),
          " ",
          ctx.el("span", {}, ctx.workerName(node.workerId) ?? ""),
          " ",
          ctx.el("time", { datetime: node.createdAt }, ctx.fmt.shortDay(node.createdAt)),
          node.comment ? ctx.el("q", {}, node.comment) : null,
        ),
      );
      list.replaceChildren(...items);
      empty.hidden = items.length > 0;
    }

    await refresh();
    const timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
    return {
      // A departure is when a client may rate: look again a little later.
      onInterventionEvent(event) {
        if (event.type === "DEPARTED") setTimeout(() => refresh().catch(() => {}), 5_000);
      },
      stop: () => clearInterval(timer),
    };
  },
};
