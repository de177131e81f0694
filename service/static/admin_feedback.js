// 反馈与未答问题（仅管理员）：被点“没帮助”和被拒答的问题，同一问题合并，最新在前；可标记已处理、删除、导出。
// 成员的提问是个人信息：页面只在管理员登录后请求数据。文本一律以 textContent 插入。
"use strict";

const REVIEW_STATES = { open: "待处理的问题", handled: "已处理的问题", all: "全部问题" };

function stamp(seconds) {
  if (!seconds) return "";
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function tags(item) {
  const out = [];
  if (item.refused) out.push(el("span", { class: "tag tag-refused" }, `未找到 ×${item.refused}`));
  if (item.unhelpful) out.push(el("span", { class: "tag tag-down" }, `没帮助 ×${item.unhelpful}`));
  for (const [reason, n] of Object.entries(item.reasons)) out.push(el("span", { class: "tag" }, n > 1 ? `${reason} ×${n}` : reason));
  if (item.count > 1) out.push(el("span", { class: "tag tag-count" }, `共 ${item.count} 次`));
  return out;
}

function reviewItem(item) {
  const hit = el("a", { href: `/admin?hit=${encodeURIComponent(item.question)}`, class: "button-link" }, "命中测试");
  const handle = el("button", { type: "button", class: "handle" }, item.handled ? "重新打开" : "标记已处理");
  handle.addEventListener("click", async () => {
    await api(`/api/admin/feedback/${item.key}/handled`, { method: "POST", body: JSON.stringify({ handled: !item.handled }) });
    loadReview();
  });
  const remove = el("button", { type: "button", class: "danger" }, "删除记录");
  remove.addEventListener("click", async () => {
    if (!confirm(`删除“${item.question}”的全部 ${item.count} 次提问记录及其反馈？此操作不可恢复。`)) return;
    await api(`/api/admin/feedback/${item.key}`, { method: "DELETE" });
    loadReview();
  });
  const answer = el("details", { class: "given" },
    el("summary", {}, item.found ? "当时给出的回答" : "当时的回答（拒答）"), el("div", { class: "given-text" }, item.answer));
  const node = el("li", { class: "review-item" + (item.handled ? " handled" : ""), "data-key": item.key },
    el("div", { class: "review-head" }, el("span", { class: "review-question" }, item.question),
      el("time", { dateTime: new Date(item.last_at * 1000).toISOString() }, stamp(item.last_at))),
    el("div", { class: "tags" }, ...tags(item)));
  if (item.comments.length) node.append(el("div", { class: "comments muted" }, `备注：${item.comments.join("；")}`));
  node.append(answer, el("div", { class: "review-actions" }, hit, handle, remove));
  if (item.handled) node.append(el("div", { class: "muted" }, `已由 ${item.handled_by} 于 ${stamp(item.handled_at)} 处理`));
  return node;
}

async function loadReview() {
  const state = $("review-state").value;
  $("review-title").textContent = REVIEW_STATES[state];
  let body;
  try { body = await api(`/api/admin/feedback?state=${state}`); } catch (error) { showReviewStatus(error.message, true); return; }
  $("review-list").replaceChildren(...body.items.map(reviewItem));
  const kept = body.retention_days ? `提问记录保留 ${body.retention_days} 天，到期自动删除。` : "";
  showReviewStatus(body.items.length ? `${body.items.length} 个问题。${kept}` : `没有${REVIEW_STATES[state].replace("的问题", "")}的问题。${kept}`);
}

function showReviewStatus(message, isError = false) {
  showStatus("review-status", message, isError);
}

async function startReview() {
  if (await adminGate("review")) await loadReview();
}

document.addEventListener("DOMContentLoaded", () => {
  bindLoginForm($("login-form"), () => { $("login-error").textContent = ""; startReview(); }, (message) => { $("login-error").textContent = message; });
  $("logout").addEventListener("click", async () => { await logout(); location.reload(); });
  $("review-state").addEventListener("change", loadReview);
  startReview().catch((error) => { $("login-error").textContent = error.message; $("login-panel").hidden = false; });
});
