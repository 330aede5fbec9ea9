// What live panels share: read, then listen on the page's one websocket, each
// subscription with its own cursor, resumed after a drop and reloaded if refused.

// Every subscription reads the same event log, so the cursor of `interventionEvents`
// is a valid `since` for `messageEvents`, `ratingEvents` and `requestEvents` too.
const CURSOR = `query Cursor { interventionEventsCursor }`;

/**
 * Reads the cursor, then `load()`, then subscribes with `since` = that cursor:
 * whatever commits between the read and the subscription is replayed, never lost.
 * When the server refuses the cursor, loads again with a fresh one.
 */
export async function readThenListen(ctx, { query, field, load, onEvent }) {
  const { interventionEventsCursor: cursor } = await ctx.gql(CURSOR);
  await load();
  const sub = ctx.live.subscribe({
    query,
    field,
    cursor,
    onEvent: (event) => Promise.resolve(onEvent(event)).catch(() => {}),
    onReset: async () => {
      const fresh = await ctx.gql(CURSOR);
      await load();
      sub.setCursor(fresh.interventionEventsCursor);
    },
  });
  return sub;
}

const cache = new WeakMap(); // ctx (one signed-in session) -> Map(client id -> name)

const NAMES_PER_QUERY = 10; // the server limits aliases per document (MAX_ALIASES, 15)

/** Names of clients by id: today's visits first, then a query per ten others. */
export async function clientNames(ctx, ids) {
  if (!cache.has(ctx)) cache.set(ctx, new Map());
  const names = cache.get(ctx);
  const missing = [...new Set(ids)].filter((id) => !names.has(id) && !ctx.clientName(id));
  for (let from = 0; from < missing.length; from += NAMES_PER_QUERY) {
    const batch = missing.slice(from, from + NAMES_PER_QUERY);
    const fields = batch
      .map((_, i) => `c${i}: node(id: $c${i}) { ... on Client { account { firstName lastName } } }`)
      .join("\n");
    const params = batch.map((_, i) => `$c${i}: ID!`).join(", ");
    const variables = Object.fromEntries(batch.map((id, i) => [`c${i}`, id]));
    const data = await ctx.gql(`query Names(${params}) { ${fields} }`, variables);
    batch.forEach((id, i) => {
      const account = data[`c${i}`]?.account;
      names.set(id, account ? `${account.firstName} ${account.lastName}` : null);
    });
  }
  return (id) => ctx.clientName(id) ?? names.get(id) ?? "Client";
}

/** A debounced call: many events in a burst, one reload. */
export function debounce(fn, ms = 150) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => fn().catch(() => {}), ms);
  };
}

export const KIND_LABELS = {
  EXTRA_VISIT: "Passage supplémentaire",
  SERVICE_CHANGE: "Changement de prestation",
  NEW_SLOT: "Nouveau créneau",
  NEW_DURATION: "Nouvelle durée",
  CANCELLATION: "Annulation",
  PLAN_CHANGE: "Changement du planning",
};
