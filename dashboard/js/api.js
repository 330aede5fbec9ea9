// GraphQL over HTTP: POST /graphql with the bearer token in a header.
import { session } from "./session.js";

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** Runs one operation and returns its `data`; throws ApiError on GraphQL or HTTP errors. */
export async function gql(query, variables = {}) {
  const headers = { "content-type": "application/json" };
  const token = session.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError("Serveur injoignable.", "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`Réponse inattendue du serveur (${response.status}).`, "HTTP");
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, first.extensions?.code ?? "ERROR");
  }
  return body.data;
}

/** Every node of a connection, page after page (at most `maxPages` of 100). */
export async function allNodes(query, variables, pick, maxPages = 20) {
  const nodes = [];
  let after = null;
  for (let page = 0; page < maxPages; page += 1) {
    const connection = pick(await gql(query, { ...variables, first: 100, after }));
    nodes.push(...connection.edges.map((edge) => edge.node));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return nodes;
}

const FIELDS = `query Fields {
  query: __type(name: "Query") { fields { name } }
  subscription: __type(name: "Subscription") { fields { name } }
}`;

/** Names of the root query and subscription fields the server offers (for optional panels). */
export async function offeredFields() {
  try {
    const data = await gql(FIELDS);
    return new Set([
      ...(data.query?.fields ?? []).map((f) => f.name),
      ...(data.subscription?.fields ?? []).map((f) => f.name),
    ]);
  } catch {
    return new Set(); // introspection off: only the built-in views
  }
}
