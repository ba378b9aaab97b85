// MD Creator's API from a browser, in cookie mode: the pattern an SPA copies.
//
// - The refresh token never reaches JavaScript: the API keeps it in the HttpOnly cookie
//   `mdc_refresh` when a request says `X-Refresh-Token-Mode: cookie`.
// - The access token lives in this module's memory only (not localStorage/sessionStorage,
//   which any injected script can read), so a reload starts without one: the page asks
//   POST /api/auth/refresh, and the browser sends the cookie along.
// - Every request goes with `credentials: "include"`: the API is another origin (another
//   port, or api.example.com), and without it the browser neither sends nor stores cookies.

const API = document.querySelector('meta[name="mdc-api"]').content;
const COOKIE_MODE = { "X-Refresh-Token-Mode": "cookie" };

// The operations this page calls, by their operationId in the OpenAPI document
// (/openapi.json): the names the typed client (clients/typescript) types them by, and the
// calls an SPA makes. The page lists each call it makes under "API calls"; a test keeps
// this table equal to the document.
const OPERATIONS = {
  signup: ["POST", "/api/auth/signup"],
  login: ["POST", "/api/auth/login"],
  refreshSession: ["POST", "/api/auth/refresh"],
  getMe: ["GET", "/api/auth/me"],
  logout: ["POST", "/api/auth/logout"],
  logoutAll: ["POST", "/api/auth/logout-all"],
  requestVerificationEmail: ["POST", "/api/auth/verify-email/request"],
  verifyEmail: ["POST", "/api/auth/verify-email"],
  requestEmailChange: ["POST", "/api/auth/email"],
  confirmEmailChange: ["POST", "/api/auth/email/confirm"],
  forgotPassword: ["POST", "/api/auth/password/forgot"],
  resetPassword: ["POST", "/api/auth/password/reset"],
};

let accessToken = null;
let refreshTimer = null;
let refreshing = null;

async function api(operationId, { body, auth = false, cookieMode = false } = {}) {
  const [method, path] = OPERATIONS[operationId];
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (cookieMode) Object.assign(headers, COOKIE_MODE);
  if (auth && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  let response;
  try {
    response = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "include",
    });
  } catch {
    // Network down, or CORS refused this origin: the page cannot read any answer.
    logCall(operationId, method, path, "no answer");
    return { ok: false, status: 0, data: null };
  }
  logCall(operationId, method, path, response.status);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, data };
}

// A token answer (login, refresh, reset): keep the access token, plan its renewal.
function keep(answer) {
  accessToken = answer.access_token;
  clearTimeout(refreshTimer);
  // A minute before it expires (halfway for short lifetimes), so no request meets a dead one.
  const seconds = Math.max(answer.expires_in - 60, answer.expires_in / 2);
  refreshTimer = setTimeout(refresh, seconds * 1000);
}

function forget() {
  accessToken = null;
  clearTimeout(refreshTimer);
}

// One refresh at a time in this tab; the API answers a second tab's refresh with the same
// cookie, within a few seconds, with the same new pair instead of calling it theft.
async function refresh() {
  refreshing ??= api("refreshSession", { cookieMode: true }).finally(() => {
    refreshing = null;
  });
  const answer = await refreshing;
  if (answer.ok) keep(answer.data);
  else forget();
  return answer;
}

// A call with the access token; on 401 one refresh and one retry (a sleeping laptop can
// miss the timer).
async function authed(operationId, options = {}) {
  let answer = await api(operationId, { ...options, auth: true });
  if (answer.status === 401 && (await refresh()).ok) {
    answer = await api(operationId, { ...options, auth: true });
  }
  return answer;
}

// --- What the page shows ----------------------------------------------------------------

const $ = (selector) => document.querySelector(selector);

function say(text) {
  $("#message").textContent = text;
}

// The panel "API calls": operationId, method, path and status of the latest calls (never a
// body: those carry passwords and tokens).
const CALLS_SHOWN = 20;

function logCall(operationId, method, path, status) {
  const item = document.createElement("li");
  const name = document.createElement("code");
  name.textContent = operationId;
  item.append(name, ` ${method} ${path} → ${status}`);
  const calls = $("#calls");
  calls.append(item);
  while (calls.children.length > CALLS_SHOWN) calls.firstElementChild.remove();
}

function problem(answer) {
  if (answer.status === 0) return `Cannot reach the API at ${API}.`;
  const detail = answer.data?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((error) => `${error.loc.at(-1)}: ${error.msg}`).join("; ");
  }
  return `The API answered ${answer.status}`;
}

function show(state) {
  for (const id of ["signed-out", "signed-in", "reset"]) $(`#${id}`).hidden = id !== state;
  document.body.dataset.state = state;
}

async function showProfile() {
  const answer = await authed("getMe");
  if (!answer.ok) return show("signed-out");
  const user = answer.data;
  $("#profile-email").textContent = user.email;
  $("#profile-name").textContent = user.display_name ?? "";
  $("#profile-verified").textContent = user.email_verified ? "yes" : "no";
  $("#profile-created").textContent = new Date(user.created_at).toLocaleDateString();
  show("signed-in");
}

// --- Actions ------------------------------------------------------------------------------

async function logIn(email, password) {
  const answer = await api("login", { body: { email, password }, cookieMode: true });
  if (!answer.ok) return say(problem(answer));
  keep(answer.data);
  say("");
  await showProfile();
}

function onSubmit(id, handler) {
  $(id).addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const fields = Object.fromEntries(new FormData(form));
    form.querySelector("button").disabled = true;
    try {
      await handler(fields, form);
    } finally {
      form.querySelector("button").disabled = false;
    }
  });
}

onSubmit("#login", ({ email, password }) => logIn(email, password));

onSubmit("#signup", async ({ email, password }) => {
  const answer = await api("signup", { body: { email, password } });
  if (!answer.ok) return say(problem(answer));
  await logIn(email, password);
  say(`Welcome! We mailed a link to ${email} to confirm the address.`);
});

onSubmit("#forgot", async ({ email }) => {
  const answer = await api("forgotPassword", { body: { email } });
  say(answer.ok ? `If ${email} has an account, a reset link is on its way.` : problem(answer));
});

onSubmit("#email-change", async (fields, form) => {
  const answer = await authed("requestEmailChange", { body: fields });
  if (answer.ok) form.reset();
  say(answer.ok ? `We mailed a confirmation link to ${fields.new_email}.` : problem(answer));
});

$("#verify").addEventListener("click", async () => {
  const answer = await authed("requestVerificationEmail");
  say(answer.ok ? "We mailed you a new confirmation link." : problem(answer));
});

// Logout answers clear both cookies; the access token goes from memory.
const LOGOUTS = { "#logout": "logout", "#logout-all": "logoutAll" };
for (const [id, operationId] of Object.entries(LOGOUTS)) {
  $(id).addEventListener("click", async () => {
    await authed(operationId);
    forget();
    say("You are logged out.");
    show("signed-out");
  });
}

// --- Links from the mails: /verify-email, /confirm-email, /reset-password ?token=… ---------

// The links that do their job on opening; the reset link asks for a password first.
const LINKS = { "/verify-email": "verifyEmail", "/confirm-email": "confirmEmailChange" };

async function followLink(path, token) {
  if (path === "/reset-password") {
    onSubmit("#reset-form", async ({ new_password }) => {
      const answer = await api("resetPassword", {
        body: { token, new_password },
        cookieMode: true,
      });
      if (!answer.ok) return say(problem(answer));
      keep(answer.data);
      say("Your password is changed; every other session has ended.");
      await showProfile();
    });
    show("reset");
    return true;
  }
  const operationId = LINKS[path];
  if (!operationId) return false;
  const answer = await api(operationId, { body: { token } });
  say(answer.ok ? `${answer.data.email} is confirmed.` : problem(answer));
  return false;
}

async function start() {
  const { pathname, searchParams } = new URL(location.href);
  const token = searchParams.get("token");
  // The link's token leaves the address bar and the history at once.
  if (token) history.replaceState(null, "", "/");
  if (token && (await followLink(pathname, token))) return;
  // A reload: the cookie, if any, brings the session back.
  const answer = await refresh();
  if (answer.ok) return showProfile();
  if (answer.status !== 401) say(problem(answer));
  show("signed-out");
}

start();
