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
  listSessions: ["GET", "/api/auth/sessions"],
  revokeSession: ["DELETE", "/api/auth/sessions/{session_id}"],
  listSecurityEvents: ["GET", "/api/auth/security-events"],
  listWorkspaces: ["GET", "/api/workspaces"],
  createWorkspace: ["POST", "/api/workspaces"],
  listMembers: ["GET", "/api/workspaces/{workspace_id}/members"],
  createInvitation: ["POST", "/api/workspaces/{workspace_id}/invitations"],
  acceptInvitation: ["POST", "/api/invitations/accept"],
  listDocuments: ["GET", "/api/workspaces/{workspace_id}/documents"],
  createDocument: ["POST", "/api/workspaces/{workspace_id}/documents"],
  getDocument: ["GET", "/api/documents/{document_id}"],
  updateDocument: ["PATCH", "/api/documents/{document_id}"],
  renderDocument: ["GET", "/api/documents/{document_id}/html"],
  searchDocuments: ["GET", "/api/workspaces/{workspace_id}/search"],
};

const RETRIED_STATUSES = new Set([502, 503, 504]);

let accessToken = null;
let refreshTimer = null;
let refreshing = null;

// `params` fill the path's {placeholders} (each one URL-encoded); `query` is the query string.
async function api(operationId, options = {}) {
  const { body, auth = false, cookieMode = false, params = {}, query, headers: extra } = options;
  const [method, template] = OPERATIONS[operationId];
  const path = template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(params[name]));
  const url = API + path + (query ? `?${new URLSearchParams(query)}` : "");
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (cookieMode) Object.assign(headers, COOKIE_MODE);
  if (extra) Object.assign(headers, extra);
  if (auth && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "include",
    });
  } catch {
    // Network down, or CORS refused this origin: the page cannot read any answer.
    logCall(operationId, method, template, "no answer");
    return { ok: false, status: 0, data: null };
  }
  logCall(operationId, method, template, response.status);
  // A read that met a gateway timeout or an unavailable dependency (a cold start, a failover)
  // is tried once more a second later: GETs change nothing, so a retry is safe.
  if (method === "GET" && RETRIED_STATUSES.has(response.status) && !options.retried) {
    await new Promise((resume) => setTimeout(resume, 1000));
    return api(operationId, { ...options, retried: true });
  }
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
  // One person's results never stay in the page for the next one who logs in.
  if (state !== "signed-in") clearSearch(true);
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
  await Promise.all([showSecurity(), showWorkspaces()]);
}

// Every API string goes into the page as text (textContent, or a text node by append),
// never as HTML: a browser name or a workspace name is data, not markup.
function cell(text) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  return td;
}

function when(iso) {
  return new Date(iso).toLocaleString();
}

// --- Account security: sessions and the security history ---------------------------------

async function showSecurity() {
  const [sessions, events] = await Promise.all([
    authed("listSessions", { query: { limit: 50 } }),
    authed("listSecurityEvents", { query: { limit: 20 } }),
  ]);
  if (sessions.ok) {
    const rows = sessions.data.items.map((session) => {
      const row = document.createElement("tr");
      row.dataset.sessionId = session.id;
      if (session.current) row.classList.add("current");
      const browser = session.browser ?? session.user_agent ?? "unknown browser";
      const action = document.createElement("td");
      if (session.current) {
        const mark = document.createElement("strong");
        mark.textContent = "this device";
        action.append(mark, " ");
      }
      const button = document.createElement("button");
      button.className = "sign-out";
      button.textContent = "sign out";
      button.addEventListener("click", () => signOutSession(session));
      action.append(button);
      row.append(cell(browser), cell(session.os), cell(session.ip), cell(when(session.last_used_at)), action);
      return row;
    });
    $("#sessions tbody").replaceChildren(...rows);
  } else {
    say(problem(sessions));
  }
  if (events.ok) {
    // The API lists them newest first.
    const items = events.data.items.map((event) => {
      const item = document.createElement("li");
      item.dataset.kind = event.kind;
      const kind = document.createElement("code");
      kind.textContent = event.kind;
      item.append(when(event.occurred_at), " ", kind, event.ip ? ` from ${event.ip}` : "");
      return item;
    });
    $("#security-events").replaceChildren(...items);
  }
}

async function signOutSession(session) {
  const answer = await authed("revokeSession", { params: { session_id: session.id } });
  if (!answer.ok && answer.status !== 404) return say(problem(answer));
  if (session.current) {
    forget();
    say("You are logged out.");
    return show("signed-out");
  }
  say("That session is signed out.");
  await showSecurity();
}

$("#security-reload").addEventListener("click", showSecurity);

// --- Workspaces: the user's, their members, invitations ----------------------------------

let openWorkspace = null;

async function showWorkspaces() {
  const answer = await authed("listWorkspaces", { query: { limit: 100 } });
  if (!answer.ok) return say(problem(answer));
  const items = answer.data.items.map((workspace) => {
    const item = document.createElement("li");
    item.dataset.workspaceId = workspace.id;
    const button = document.createElement("button");
    button.className = "open-workspace";
    button.textContent = workspace.name;
    button.addEventListener("click", () => showWorkspace(workspace));
    item.append(button, ` ${workspace.role}`);
    return item;
  });
  $("#workspaces").replaceChildren(...items);
  if (openWorkspace) {
    const still = answer.data.items.find((workspace) => workspace.id === openWorkspace.id);
    if (still) await showWorkspace(still);
    else $("#workspace").hidden = true;
  }
}

async function showWorkspace(workspace) {
  // Results belong to the workspace they were searched in; a redraw of the same one keeps them.
  if (search && search.workspaceId !== workspace.id) clearSearch(true);
  openWorkspace = workspace;
  $("#workspace-name").textContent = workspace.name;
  $("#workspace-role").textContent = workspace.role;
  $("#workspace").dataset.workspaceId = workspace.id;
  $("#invite").hidden = !["owner", "admin"].includes(workspace.role);
  $("#workspace").hidden = false;
  const answer = await authed("listMembers", {
    params: { workspace_id: workspace.id },
    query: { limit: 100 },
  });
  if (!answer.ok) return say(problem(answer));
  const rows = answer.data.items.map((member) => {
    const row = document.createElement("tr");
    row.dataset.userId = member.user_id;
    row.append(cell(member.email), cell(member.display_name), cell(member.role));
    return row;
  });
  $("#members tbody").replaceChildren(...rows);
  await showDocuments();
}

// --- Documents: list, open, edit, save with If-Match, conflicts, the sanitized preview ---

// The open document as the page last read or saved it: its version is the If-Match of the
// next save, so a save never overwrites a version this page has not seen.
let openDocument = null;
let theirs = null;

async function showDocuments() {
  if (!openWorkspace) return;
  if (openDocument && openDocument.workspace_id !== openWorkspace.id) {
    openDocument = null;
    $("#document").hidden = true;
  }
  const answer = await authed("listDocuments", {
    params: { workspace_id: openWorkspace.id },
    query: { limit: 100 },
  });
  if (!answer.ok) return say(problem(answer));
  const items = answer.data.items.map((document_) => {
    const item = document.createElement("li");
    item.dataset.documentId = document_.id;
    const button = document.createElement("button");
    button.className = "open-document";
    button.textContent = document_.title;
    button.addEventListener("click", () => openDocumentById(document_.id));
    item.append(button, ` v${document_.version}`);
    return item;
  });
  $("#documents").replaceChildren(...items);
}

async function readDocument(id) {
  const answer = await authed("getDocument", { params: { document_id: id } });
  if (!answer.ok) say(problem(answer));
  return answer.ok ? answer.data : null;
}

function showDocument(document_) {
  openDocument = document_;
  theirs = null;
  $("#document").dataset.documentId = document_.id;
  $("#document-title").textContent = document_.title;
  $("#document-version").textContent = String(document_.version);
  $("#document-content").value = document_.content;
  $("#conflict").hidden = true;
  $("#document-preview").replaceChildren();
  $("#document").hidden = false;
}

async function openDocumentById(id) {
  const document_ = await readDocument(id);
  if (document_) showDocument(document_);
}

async function saveDocument() {
  if (!openDocument) return;
  const content = $("#document-content").value;
  const answer = await authed("updateDocument", {
    params: { document_id: openDocument.id },
    headers: { "If-Match": `"${openDocument.version}"` },
    body: { content },
  });
  if (answer.status === 412) return showConflict();
  if (!answer.ok) return say(problem(answer));
  // The editor keeps what the user typed meanwhile; only the version moves on.
  openDocument = { ...answer.data, content };
  theirs = null;
  $("#document-version").textContent = String(answer.data.version);
  $("#conflict").hidden = true;
  say(`Saved as version ${answer.data.version}.`);
  await showDocuments();
}

// Someone saved first: show their version next to ours, and change nothing in the editor.
async function showConflict() {
  const current = await readDocument(openDocument.id);
  if (!current) return;
  theirs = current;
  $("#conflict-version").textContent = String(current.version);
  $("#conflict-theirs").textContent = current.content;
  $("#conflict").hidden = false;
  say("This document was changed elsewhere: take their version or keep yours.");
}

$("#document-save").addEventListener("click", saveDocument);

$("#conflict-reload").addEventListener("click", () => {
  if (theirs) showDocument(theirs);
  say("");
});

// Keep mine: save again, now over the version we have seen (a newer one meets 412 again).
$("#conflict-keep").addEventListener("click", async () => {
  if (!theirs) return;
  openDocument = { ...openDocument, version: theirs.version };
  await saveDocument();
});

$("#document-preview-button").addEventListener("click", async () => {
  if (!openDocument) return;
  const answer = await authed("renderDocument", { params: { document_id: openDocument.id } });
  if (!answer.ok) return say(problem(answer));
  // The one place the page inserts HTML: the API's sanitized rendering of the saved
  // markdown (scripts, event handlers and javascript: links removed there).
  $("#document-preview").innerHTML = answer.data.html;
});

// --- Search: the open workspace's documents, best first, with highlighted snippets ------

const SEARCH_PAGE = 20;

// The search whose results are shown: its workspace, its query and where its next page
// starts. Every search (and every clear) takes a new run number, so an answer that arrives
// after a newer search or a change of workspace is dropped instead of drawn.
let search = null;
let searchRun = 0;

function searchSays(state, text) {
  $("#search-area").dataset.state = state;
  $("#search-status").textContent = text;
}

function clearSearch(emptyTheBox = false) {
  searchRun += 1;
  search = null;
  $("#search-results").replaceChildren();
  $("#search-more").hidden = true;
  $("#search-area").hidden = true;
  searchSays("idle", "");
  if (emptyTheBox) $("#search-q").value = "";
}

// The snippet as text nodes and <mark> elements, never as HTML: it is the document's own
// text, and a document may well contain markup. The API counts offsets in code points (as
// Python does) while JavaScript strings index UTF-16 code units, where an emoji takes two:
// so the snippet is cut as an array of code points.
function highlighted(snippet, highlights) {
  const points = Array.from(snippet);
  const spans = [...highlights].sort(([a], [b]) => a - b);
  const parts = [];
  let at = 0;
  for (const [start, end] of spans) {
    // Overlapping or out-of-range spans (the API sends none) mark no letter twice.
    const from = Math.max(start, at);
    const to = Math.min(end, points.length);
    if (to <= from) continue;
    if (from > at) parts.push(points.slice(at, from).join(""));
    const mark = document.createElement("mark");
    mark.textContent = points.slice(from, to).join("");
    parts.push(mark);
    at = to;
  }
  if (at < points.length) parts.push(points.slice(at).join(""));
  return parts;
}

function searchResult(hit) {
  const item = document.createElement("li");
  item.dataset.documentId = hit.document_id;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "open-result";
  const title = document.createElement("span");
  title.className = "result-title";
  title.textContent = hit.title;
  const snippet = document.createElement("span");
  snippet.className = "result-snippet";
  snippet.append(...highlighted(hit.snippet, hit.highlights));
  button.append(title, snippet);
  // The same opening as the document list's.
  button.addEventListener("click", () => openDocumentById(hit.document_id));
  item.append(button);
  return item;
}

// `cursor` asks for the page after the shown ones, which stay; without it the results start over.
async function runSearch(q, cursor = null) {
  if (!openWorkspace) return;
  const run = ++searchRun;
  const workspaceId = openWorkspace.id;
  const query = { q, limit: SEARCH_PAGE };
  if (cursor) query.cursor = cursor;
  // Recorded before the answer, so a change of workspace meanwhile clears this search too.
  if (!cursor) {
    search = { workspaceId, q, cursor: null };
    $("#search-results").replaceChildren();
  }
  $("#search-more").hidden = true;
  $("#search-area").hidden = false;
  searchSays("searching", "Searching…");
  const answer = await authed("searchDocuments", { params: { workspace_id: workspaceId }, query });
  if (run !== searchRun || openWorkspace?.id !== workspaceId) return;
  if (!answer.ok) {
    // The API's own words (a 429's detail asks to try later): its Retry-After header is
    // not among those CORS lets a script read.
    searchSays("error", `Search failed: ${problem(answer)}`);
    $("#search-more").hidden = !cursor;
    return;
  }
  const { items, next_cursor: next } = answer.data;
  search = { workspaceId, q, cursor: next };
  $("#search-results").append(...items.map(searchResult));
  const shown = $("#search-results").children.length;
  if (shown === 0) {
    searchSays("empty", `No documents match “${q}”.`);
  } else {
    const count = shown === 1 ? "1 document matches" : `${shown} documents match`;
    searchSays("results", `${count} “${q}”${next ? ", and there are more" : ""}.`);
  }
  $("#search-more").hidden = !next;
}

onSubmit("#search", async ({ q }) => {
  const words = q.trim();
  if (!words) {
    clearSearch();
    $("#search-area").hidden = false;
    return searchSays("error", "Type a word to search for.");
  }
  await runSearch(words);
});

$("#search-more").addEventListener("click", async () => {
  if (!search?.cursor) return;
  $("#search-more").disabled = true;
  try {
    await runSearch(search.q, search.cursor);
  } finally {
    $("#search-more").disabled = false;
  }
});

$("#search-clear").addEventListener("click", () => {
  clearSearch(true);
  $("#search-q").focus();
});

// --- Actions ------------------------------------------------------------------------------

async function logIn(email, password) {
  const answer = await api("login", { body: { email, password }, cookieMode: true });
  if (!answer.ok) return say(problem(answer));
  keep(answer.data);
  say("");
  await showProfile();
  await acceptPendingInvitation();
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

onSubmit("#workspace-create", async (fields, form) => {
  const answer = await authed("createWorkspace", { body: fields });
  if (!answer.ok) return say(problem(answer));
  form.reset();
  say(`Workspace ${answer.data.name} is created.`);
  openWorkspace = answer.data;
  await showWorkspaces();
});

onSubmit("#invite", async (fields, form) => {
  if (!openWorkspace) return;
  const answer = await authed("createInvitation", {
    params: { workspace_id: openWorkspace.id },
    body: fields,
  });
  if (answer.ok) form.reset();
  say(answer.ok ? `We mailed an invitation to ${fields.email}.` : problem(answer));
});

onSubmit("#document-create", async (fields, form) => {
  if (!openWorkspace) return;
  const answer = await authed("createDocument", {
    params: { workspace_id: openWorkspace.id },
    body: { title: fields.title, content: "" },
  });
  if (!answer.ok) return say(problem(answer));
  form.reset();
  showDocument(answer.data);
  await showDocuments();
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

// --- Links from the mails: /verify-email, /confirm-email, /reset-password, /invitation ?token=…

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
  if (path === "/invitation") {
    // Accepting needs the session of the invited (verified) address: a reload's refresh
    // brings it; without one the page asks for a login and accepts after it.
    pendingInvitation = token;
    return false;
  }
  const operationId = LINKS[path];
  if (!operationId) return false;
  const answer = await api(operationId, { body: { token } });
  say(answer.ok ? `${answer.data.email} is confirmed.` : problem(answer));
  return false;
}

let pendingInvitation = null;

async function acceptPendingInvitation() {
  if (!pendingInvitation || !accessToken) return;
  const token = pendingInvitation;
  pendingInvitation = null;
  const answer = await authed("acceptInvitation", { body: { token } });
  if (!answer.ok) return say(problem(answer));
  say(`You joined ${answer.data.name} as ${answer.data.role}.`);
  openWorkspace = answer.data;
  await showWorkspaces();
}

async function start() {
  const { pathname, searchParams } = new URL(location.href);
  const token = searchParams.get("token");
  // The link's token leaves the address bar and the history at once.
  if (token) history.replaceState(null, "", "/");
  if (token && (await followLink(pathname, token))) return;
  // A reload: the cookie, if any, brings the session back.
  const answer = await refresh();
  if (answer.ok) {
    await showProfile();
    return acceptPendingInvitation();
  }
  if (answer.status !== 401) say(problem(answer));
  if (pendingInvitation) say("Log in as the invited address to join the workspace.");
  show("signed-out");
}

start();
