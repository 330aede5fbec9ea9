// The server's clock. On the demo's shared clock it runs faster than the wall clock:
// the page reads it once and counts on at its speed, so "late by" matches the server.
import { gql } from "./api.js";

let base = null; // {server, real, speed}: ms since the epoch, and server seconds per second

export async function syncClock(offered) {
  if (!offered.has("serverClock")) return;
  try {
    const { serverClock } = await gql(`query Clock { serverClock { now speed } }`);
    base = { server: Date.parse(serverClock.now), real: Date.now(), speed: serverClock.speed };
  } catch {
    base = null; // the wall clock, then
  }
}

export function serverNow() {
  return base ? new Date(base.server + (Date.now() - base.real) * base.speed) : new Date();
}

export function clockSpeed() {
  return base ? base.speed : 1;
}
