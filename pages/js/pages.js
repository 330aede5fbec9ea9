// The pages behind e-mailed links. No build step, no inline code (strict CSP): each page
// names itself in <body data-page>, and this module wires its forms to /graphql.
// Tokens travel in the URL fragment, which browsers never send to a server.

const page = document.body.dataset.page;
const result = document.getElementById("result");
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
let bearer = sessionStorage.getItem("passage-token") || "";

async function gql(query, variables = {}) {
  const headers = { "content-type": "application/json" };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch("/graphql", {
    method: "POST", headers, body: JSON.stringify({ query, variables }),
    credentials: "omit", cache: "no-store",
  });
  const body = await response.json();
  if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
  return body.data;
}

function show(message, ok) {
  result.textContent = message;
  result.dataset.state = ok ? "ok" : "error";
  result.hidden = false;
}

function firstError(payload) {
  return payload.userErrors && payload.userErrors.length ? payload.userErrors[0].message : "";
}

function on(id, handler) {
  const form = document.getElementById(id);
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await handler(form);
    } catch (error) {
      show(error.message || "Erreur inattendue.", false);
    }
  });
}

async function signIn(after) {
  const form = document.getElementById("sign-in");
  if (bearer) {
    form.hidden = true;
    try {
      await after();
      return;
    } catch {
      bearer = "";
      sessionStorage.removeItem("passage-token");
    }
  }
  form.hidden = false;
  on("sign-in", async () => {
    const data = await gql(
      "mutation($e:String!,$p:String!){logIn(input:{email:$e,password:$p}){token userErrors{message}}}",
      { e: document.getElementById("email").value, p: document.getElementById("password").value },
    );
    const payload = data.logIn;
    if (!payload.token) return show(firstError(payload) || "Connexion refusée.", false);
    bearer = payload.token;
    sessionStorage.setItem("passage-token", bearer);
    form.hidden = true;
    await after();
  });
}

const pages = {
  "verify-email"() {
    on("verify", async (form) => {
      const data = await gql(
        "mutation($t:String!){verifyEmail(token:$t){account{email} userErrors{message}}}",
        { t: token },
      );
      const payload = data.verifyEmail;
      if (!payload.account) return show(firstError(payload), false);
      form.hidden = true;
      show(`Adresse confirmée : ${payload.account.email}`, true);
    });
  },
  "reset-password"() {
    on("reset", async (form) => {
      const password = document.getElementById("new-password").value;
      if (password !== document.getElementById("new-password-again").value) {
        return show("Les deux mots de passe diffèrent.", false);
      }
      const data = await gql(
        "mutation($t:String!,$p:String!){resetPassword(input:{token:$t,newPassword:$p}){ok userErrors{message}}}",
        { t: token, p: password },
      );
      if (!data.resetPassword.ok) return show(firstError(data.resetPassword), false);
      form.hidden = true;
      show("Mot de passe modifié. Vous pouvez vous connecter.", true);
    });
  },
  login() {
    signIn(async () => {
      const data = await gql("{ me { firstName } }");
      show(`Connecté(e) : bonjour ${data.me.firstName}.`, true);
    });
  },
  "account-deletion"() {
    if (token) {
      document.getElementById("sign-in").hidden = true;
      document.getElementById("confirm-deletion").hidden = false;
      on("confirm-deletion", async (form) => {
        const data = await gql(
          "mutation($t:String!){confirmAccountDeletion(input:{token:$t}){deletion{effectiveAt} userErrors{message}}}",
          { t: token },
        );
        const payload = data.confirmAccountDeletion;
        if (!payload.deletion) return show(firstError(payload), false);
        form.hidden = true;
        const day = new Date(payload.deletion.effectiveAt).toLocaleDateString("fr-FR");
        show(`Suppression confirmée : votre compte sera supprimé le ${day}.`, true);
      });
      return;
    }
    signIn(async () => {
      const data = await gql("{ accountDeletion { status effectiveAt } }");
      const cancel = document.getElementById("cancel-deletion");
      if (!data.accountDeletion) return show("Aucune suppression en cours.", true);
      document.getElementById("deletion-status").textContent = data.accountDeletion.effectiveAt
        ? `Suppression prévue le ${new Date(data.accountDeletion.effectiveAt).toLocaleDateString("fr-FR")}.`
        : "Suppression en attente de confirmation.";
      cancel.hidden = false;
      on("cancel-deletion", async () => {
        const done = await gql("mutation{cancelAccountDeletion{deletion{status} userErrors{message}}}");
        if (firstError(done.cancelAccountDeletion)) return show(firstError(done.cancelAccountDeletion), false);
        cancel.hidden = true;
        show("Suppression annulée : votre compte reste ouvert.", true);
      });
    });
  },
  "data-export"() {
    signIn(async () => {
      const data = await gql("{ dataExport { status progress downloadUrl expiresAt } }");
      const section = document.getElementById("export");
      const status = document.getElementById("export-status");
      section.hidden = false;
      const exported = data.dataExport;
      if (!exported) return (status.textContent = "Aucun export demandé.");
      if (exported.status !== "READY") {
        status.textContent = `Export en préparation (${exported.progress} %).`;
        return;
      }
      status.textContent = "Votre archive est prête.";
      const link = document.getElementById("download");
      link.href = exported.downloadUrl;
      link.hidden = false;
    });
  },
};

if (pages[page]) pages[page]();
