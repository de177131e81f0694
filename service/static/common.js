// 五学联动学习知识库 — helpers shared by every page. Text from documents is always inserted with
// textContent (via el()), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-") || key.startsWith("aria-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

// Every state-changing request echoes the CSRF cookie; JSON bodies get their content type,
// FormData bodies (uploads) let the browser set the multipart boundary.
async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  const method = (options.method || "GET").toUpperCase();
  if (!["GET", "HEAD"].includes(method)) headers["X-CSRF-Token"] = cookie("wuxue_csrf");
  if (options.body && !(options.body instanceof FormData)) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers });
  let body = null;
  if (response.status !== 204) {
    try { body = await response.json(); } catch (_) { body = null; }
  }
  if (!response.ok) {
    const error = new Error(body && body.error ? body.error.message : `请求失败（${response.status}）`);
    error.code = body && body.error ? body.error.code : "http_error";
    error.status = response.status;
    throw error;
  }
  return body;
}

// The logged-in user, or null. Pages that need a role show their login form when this is null.
async function currentUser() {
  try { return await api("/api/auth/me"); } catch (error) { if (error.status === 401) return null; throw error; }
}

async function login(username, password) {
  return api("/api/auth/login", { method: "POST", body: JSON.stringify({ username, password }) });
}

async function logout() {
  await api("/api/auth/logout", { method: "POST" });
}

const ROLE_RANK = { member: 1, leader: 2, admin: 3 };
// The role in Chinese for messages (成员 / 组长 / 管理员).
function roleLabel(role) { return ({ member: "成员", leader: "组长", admin: "管理员" })[role] || role; }
function hasRole(user, role) { return !!user && ROLE_RANK[user.role] >= ROLE_RANK[role]; }

// Wire a <form> with #login-user/#login-pass fields (ids prefixed by `prefix`) to log in and then call onDone(user).
function bindLoginForm(form, onDone, showError) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const user = await login(String(data.get("username") || ""), String(data.get("password") || ""));
      form.reset();
      onDone(user);
    } catch (error) {
      showError(error.message);
    }
  });
}

function showStatus(id, message, isError = false) {
  $(id).textContent = message;
  $(id).classList.toggle("error", isError);
}

// Admin pages: the login panel stays until an admin is logged in; then `panelId` shows. Returns the admin or null.
async function adminGate(panelId) {
  const user = await currentUser();
  const admin = hasRole(user, "admin");
  $("login-panel").hidden = admin;
  $(panelId).hidden = !admin;
  if (!admin) {
    if (user) $("login-error").textContent = `当前账号 ${user.username}（${roleLabel(user.role)}）没有管理权限，请用管理员账号登录`;
    return null;
  }
  $("who").textContent = `${roleLabel(user.role)}：${user.username}`;
  $("logout").hidden = false;
  return user;
}
