// PostGraphile 4 over the bench's database, for `python -m bench.reads`: no authentication,
// no mutations, lists as well as connections, and the connection filter (with relations).
//   NODE_PATH=bench/.postgraphile/node_modules node bench/postgraphile_serve.js DATABASE_URL PORT
"use strict";
const http = require("http");
const { postgraphile } = require("postgraphile");
const ConnectionFilterPlugin = require("postgraphile-plugin-connection-filter");

const [database, port] = process.argv.slice(2);
const middleware = postgraphile(database, "public", {
  disableDefaultMutations: true,
  simpleCollections: "both",
  appendPlugins: [ConnectionFilterPlugin],
  graphileBuildOptions: { connectionFilterRelations: true },
  disableQueryLog: true,
  graphiql: false,
  watchPg: false,
  retryOnInitFail: false,
  extendedErrors: ["hint", "detail", "errcode"],
});
const server = http.createServer(middleware);
server.keepAliveTimeout = 60000;
server.listen(Number(port), "127.0.0.1", () => console.log(`listening on ${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => process.exit(0));
}
