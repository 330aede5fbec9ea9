// One graphql-transport-ws connection carrying any number of subscriptions, each
// resumed from its last cursor after a drop: nothing missed, nothing twice.
//
// Protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md), as Passage speaks it:
//   → connection_init {payload: {authorization: "Bearer <token>"}}
//   ← connection_ack
//   → subscribe {id, payload: {query, variables: {since: <last cursor>}}}
//   ← next {id, payload: {data: {<field>: {cursor, ...}}}}   (replay first, then live)
//   ← error {id, payload: [{message, extensions: {code}}]}
//   ↔ ping / pong
// Close 4403: the session is over (sign in again). Anything else: reconnect with backoff.

const PROTOCOL = "graphql-transport-ws";
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000, 15000];
const OFFLINE_AFTER_FAILURES = 4;

export class LiveConnection {
  /**
   * @param {() => string|null} token     the bearer token, read at each (re)connection
   * @param {(state: "connecting"|"live"|"reconnecting"|"offline", retryInMs?: number) => void} onState
   * @param {() => void} onSessionEnded  close code 4403: the page signs out
   */
  constructor(token, onState, onSessionEnded) {
    this.token = token;
    this.onState = onState;
    this.onSessionEnded = onSessionEnded;
    this.subscriptions = new Map(); // id -> {query, field, cursor, onEvent, onReset}
    this.nextId = 1;
    this.failures = 0;
    this.socket = null;
    this.timer = null;
    this.stopped = true;
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.onState("offline");
  }

  /**
   * Adds a subscription. `query` takes `$since: String`; `field` is its root field, whose
   * value carries `cursor`. `onReset` runs when the server refuses the cursor: reload, then
   * call `setCursor` with a fresh one.
   */
  subscribe({ query, field, cursor = null, onEvent, onReset = () => {} }) {
    const id = String(this.nextId++);
    const sub = { id, query, field, cursor, onEvent, onReset };
    this.subscriptions.set(id, sub);
    if (this.ready) this.send(sub);
    return {
      setCursor: (value) => {
        sub.cursor = value;
      },
      get cursor() {
        return sub.cursor;
      },
    };
  }

  start() {
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.open();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, "bye");
    this.socket = null;
    this.subscriptions.clear();
    this.onState("offline");
  }

  reconnectNow() {
    if (this.stopped || (this.socket && this.socket.readyState <= WebSocket.OPEN)) return;
    clearTimeout(this.timer);
    this.open();
  }

  open() {
    this.ready = false;
    this.onState(this.failures ? "reconnecting" : "connecting");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    const socket = new WebSocket(url, PROTOCOL);
    this.socket = socket;
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          type: "connection_init",
          payload: { authorization: `Bearer ${this.token()}` },
        }),
      );
    };
    socket.onmessage = (message) => this.receive(socket, JSON.parse(message.data));
    socket.onclose = (closed) => this.closed(socket, closed.code);
  }

  /** Subscribes, after the view has reloaded if its cursor was refused. */
  begin(sub, socket) {
    if (!sub.needsReset) {
      this.send(sub);
      return;
    }
    Promise.resolve()
      .then(() => sub.onReset()) // reloads, then hands a fresh cursor to setCursor
      .then(() => {
        sub.needsReset = false;
        if (socket === this.socket && this.ready) this.send(sub);
      })
      .catch(() => socket.close(4000, "reload failed")); // tried again after a backoff
  }

  send(sub) {
    const variables = sub.cursor ? { since: sub.cursor } : {};
    this.socket.send(
      JSON.stringify({ id: sub.id, type: "subscribe", payload: { query: sub.query, variables } }),
    );
  }

  receive(socket, message) {
    if (socket !== this.socket) return;
    switch (message.type) {
      case "connection_ack":
        this.ready = true;
        this.failures = 0;
        for (const sub of this.subscriptions.values()) this.begin(sub, socket);
        this.onState("live");
        break;
      case "ping":
        socket.send(JSON.stringify({ type: "pong" }));
        break;
      case "next": {
        const sub = this.subscriptions.get(message.id);
        const event = message.payload?.data?.[sub?.field];
        if (!sub || !event) break;
        sub.cursor = event.cursor; // kept before handling: a handler error loses nothing
        sub.onEvent(event);
        break;
      }
      case "error": {
        const sub = this.subscriptions.get(message.id);
        if (!sub) break;
        const code = message.payload?.[0]?.extensions?.code;
        if (code === "SUBSCRIBER_TOO_SLOW") {
          socket.close(4000, "resume"); // reconnect and resume from the cursor we hold
        } else {
          // A cursor the server no longer knows (e.g. a restored database): start afresh.
          sub.cursor = null;
          sub.needsReset = true;
          this.begin(sub, socket);
        }
        break;
      }
      case "complete": {
        const sub = this.subscriptions.get(message.id);
        if (sub && this.ready) this.send(sub); // the server ended it: resume where we were
        break;
      }
      default:
        break;
    }
  }

  closed(socket, code) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.ready = false;
    if (this.stopped) return;
    if (code === 4403 || code === 4401) {
      this.stop();
      this.onSessionEnded();
      return;
    }
    this.failures += 1;
    const base = BACKOFF_MS[Math.min(this.failures - 1, BACKOFF_MS.length - 1)];
    const delay = Math.round(base * (0.8 + Math.random() * 0.4)); // jitter: no stampede
    const offline = !navigator.onLine || this.failures > OFFLINE_AFTER_FAILURES;
    this.onState(offline ? "offline" : "reconnecting", delay);
    this.timer = setTimeout(() => this.open(), delay);
  }
}
