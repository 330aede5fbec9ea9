// Damage claims (staff): how many at each step, and the open ones that wait longest.
// Live through claimEvents: a new claim or a step taken shows at once.
import { debounce, readThenListen } from "./common.js";

const PANEL = `query ClaimsPanel {
  claimsPanel { openCount counts { status count } oldestWaiting { id status location updatedAt createdAt } }
}`;
const EVENTS = `subscription ClaimEvents($since: String) {
  claimEvents(since: $since) { cursor type claim { id status } }
}`;
const STATUS = {
  REPORTED: "déclarés",
  ACKNOWLEDGED: "pris en charge",
  INVESTIGATING: "en examen",
  REPAIRED: "réparés",
  REIMBURSED: "remboursés",
  DECLINED: "refusés",
};
const STEP = {
  REPORTED: "déclaré",
  ACKNOWLEDGED: "pris en charge",
  INVESTIGATING: "en examen",
};

export default {
  id: "claims",
  title: "Sinistres",
  roles: ["ADMIN", "ADVISOR"],
  requires: ["claimsPanel", "claimEvents"],

  async mount(body, ctx) {
    const summary = ctx.el("p", { class: "claims-summary", "aria-live": "polite" });
    const list = ctx.el("ol", { class: "claims" });
    const empty = ctx.el("p", { class: "muted" }, "Aucun sinistre en attente.");
    body.append(summary, list, empty);

    async function load() {
      const { claimsPanel: panel } = await ctx.gql(PANEL);
      const counts = panel.counts
        .filter((c) => c.count > 0)
        .map((c) => `${c.count} ${STATUS[c.status]}`);
      summary.dataset.open = panel.openCount;
      summary.textContent = `${panel.openCount} en cours` + (counts.length ? ` · ${counts.join(", ")}` : "");
      list.replaceChildren(
        ...panel.oldestWaiting.map((claim) =>
          ctx.el(
            "li",
            { "data-claim": claim.id, "data-status": claim.status },
            ctx.el("strong", {}, claim.location),
            " — ",
            STEP[claim.status] ?? claim.status,
            " ",
            ctx.el(
              "span",
              { class: "waiting" },
              `depuis ${ctx.fmt.shortDay(claim.updatedAt)} ${ctx.fmt.time(claim.updatedAt)}`,
            ),
          ),
        ),
      );
      empty.hidden = panel.oldestWaiting.length > 0;
    }

    const reload = debounce(load);
    await readThenListen(ctx, { query: EVENTS, field: "claimEvents", load, onEvent: reload });
    return {};
  },
};
