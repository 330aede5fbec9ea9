// Entry point: sign-in, then the staff or the client view, live over one websocket.
import { ApiError, gql, offeredFields } from "./api.js";
import { ClientView } from "./client.js";
import { syncClock } from "./clock.js";
import { el, formatter } from "./format.js";
import { LiveConnection } from "./live.js";
import { PANELS } from "./panels/index.js";
import { session } from "./session.js";
import { StaffView } from "./staff.js";

const LOG_IN = `mutation LogIn($email: String!, $password: String!) {
  logIn(input: { email: $email, password: $password }) {
    token account { id role } userErrors { field message code }
  }
}`;
const LOG_OUT = `mutation LogOut { logOut { ok } }`;
const ME = `query Me { me { id role firstName lastName agency { name timeZone } } }`;
const LIVE_TEXT = {
  connecting: "Connexion…",
  live: "En direct",
  reconnecting: "Reconnexion…",
  offline: "Hors ligne",
};

const $ = (id) => document.getElementById(id);
let current = null; // {view, live, panels}

function showLive(state, retryInMs) {
  const live = $("live");
  live.hidden = false;
  live.dataset.state = state;
  live.dataset.retryMs = retryInMs ?? 0; // when the next attempt is due (read by the tests too)
  const retry = retryInMs ? ` (nouvel essai dans ${Math.max(1, Math.round(retryInMs / 1000))} s)` : "";
  $("live-text").textContent = LIVE_TEXT[state] + (state === "live" ? "" : retry);
}

function showSignIn(message) {
  $("sign-in").hidden = false;
  $("sign-out").hidden = true;
  $("who").hidden = true;
  $("live").hidden = true;
  $("agency-name").textContent = "";
  const error = $("sign-in-error");
  error.hidden = !message;
  error.textContent = message ?? "";
  $("email").focus();
}

async function mountPanels(container, role, ctx) {
  const offered = await offeredFields();
  const mounted = [];
  for (const panel of PANELS) {
    if (!panel.roles.includes(role) || !panel.requires.every((f) => offered.has(f))) continue;
    const body = el("div", { class: "panel-body" });
    const section = el(
      "section",
      { class: "card panel", "data-panel": panel.id, "aria-labelledby": `panel-${panel.id}` },
      el("h3", { id: `panel-${panel.id}` }, panel.title),
      body,
    );
    container.append(section);
    try {
      const handle = (await panel.mount(body, ctx)) ?? {};
      if (handle.onInterventionEvent) ctx.listeners.push((e) => handle.onInterventionEvent(e));
      mounted.push(handle);
    } catch (error) {
      body.replaceChildren(el("p", { class: "error" }, `Indisponible : ${error.message}`));
    }
  }
  return mounted;
}

async function start() {
  let me;
  try {
    me = (await gql(ME)).me;
  } catch (error) {
    showSignIn(error instanceof ApiError ? error.message : "Serveur injoignable.");
    return;
  }
  if (!me) {
    session.token = null;
    showSignIn();
    return;
  }
  if (me.role === "WORKER") {
    await signOut("Ce tableau de bord est réservé à l’agence et aux clients.");
    return;
  }
  $("sign-in").hidden = true;
  $("sign-out").hidden = false;
  $("who").hidden = false;
  $("who").textContent = `${me.firstName} ${me.lastName}`;
  $("agency-name").textContent = me.agency ? `· ${me.agency.name}` : "";
  const live = new LiveConnection(() => session.token, showLive, () =>
    signOut("Votre session a pris fin : reconnectez-vous."),
  );
  const fmt = formatter(me.agency?.timeZone ?? "Europe/Paris");
  const ctx = { gql, el, fmt, live, role: me.role, listeners: [], workerName: () => null,
    clientName: () => null };
  const staff = me.role === "ADMIN" || me.role === "ADVISOR";
  const view = staff ? new StaffView(ctx) : new ClientView(ctx);
  if (staff) {
    ctx.workerName = (id) => view.workerName(id);
    ctx.clientName = (id) => view.clientName(id);
  }
  current = { view, live, panels: [] };
  try {
    ctx.offered = await offeredFields();
    await syncClock(ctx.offered);
    await view.start();
  } catch (error) {
    await signOut(`Chargement impossible : ${error.message}`);
    return;
  }
  live.start();
  const container = $(staff ? "panels" : "client-panels");
  container.replaceChildren();
  current.panels = await mountPanels(container, me.role, ctx);
  document.body.dataset.ready = me.role.toLowerCase();
}

async function signOut(message) {
  if (current) {
    current.live.stop();
    current.view.stop();
    for (const panel of current.panels) panel.stop?.();
    current = null;
  }
  if (session.token) {
    try {
      await gql(LOG_OUT);
    } catch {
      // the session may be over already: forgetting the token is what matters
    }
  }
  session.token = null;
  delete document.body.dataset.ready;
  showSignIn(message);
}

$("sign-in-form").addEventListener("submit", async (submit) => {
  submit.preventDefault();
  const form = submit.currentTarget;
  const button = form.querySelector("button");
  button.disabled = true;
  $("sign-in-error").hidden = true;
  try {
    const { logIn } = await gql(LOG_IN, { email: form.email.value.trim(), password: form.password.value });
    if (logIn.userErrors.length || !logIn.token) {
      showSignIn(logIn.userErrors[0]?.message ?? "Connexion refusée.");
      return;
    }
    session.token = logIn.token;
    form.reset();
    await start();
  } catch (error) {
    showSignIn(error.message);
  } finally {
    button.disabled = false;
  }
});
$("sign-out").addEventListener("click", () => signOut());

if (session.token) start();
else showSignIn();
