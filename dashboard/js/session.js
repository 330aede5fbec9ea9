// The session token: in sessionStorage (gone when the tab closes), never in a URL,
// never in localStorage or a cookie this page sets.
const KEY = "passage.token";

export const session = {
  get token() {
    return sessionStorage.getItem(KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
};
