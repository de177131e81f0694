// 学习问答页：示例与最近问题（第一次提问后收起）、回答出现后滚动到可见处、Esc 关闭“查看原文”。
// 文本一律以 textContent 插入（见 common.js 的 el()）。
"use strict";

const RECENT_KEY = "wuxue.recent";
const RECENT_LIMIT = 8;

function readRecent() {
  try { return JSON.parse(localStorage.getItem(RECENT_KEY) || "[]"); } catch (_) { return []; }
}

function rememberQuestion(question) {
  const recent = readRecent().filter((q) => q !== question);
  recent.unshift(question);
  localStorage.setItem(RECENT_KEY, JSON.stringify(recent.slice(0, RECENT_LIMIT)));
  renderRecent();
}

function chip(question) {
  const button = el("button", { type: "button" }, question);
  button.addEventListener("click", () => { $("question").value = question; ask(); });
  return button;
}

function renderRecent() {
  const recent = readRecent();
  const box = $("recent");
  box.replaceChildren();
  if (!recent.length) return;
  const clear = el("button", { type: "button", class: "chips-clear", title: "清空本机保存的最近问题" }, "清空");
  clear.addEventListener("click", () => { localStorage.removeItem(RECENT_KEY); renderRecent(); });
  box.append(el("span", { class: "chips-label" }, "最近："), ...recent.map(chip), clear);
}

// Only questions the service answers (the server checks each against the index it has loaded).
async function loadExamples() {
  try {
    const questions = await api("/api/examples");
    const box = $("examples");
    box.replaceChildren();
    if (questions.length) box.append(el("span", { class: "chips-label" }, "试试："), ...questions.map(chip));
  } catch (_) { /* examples are optional */ }
}

// After the first question the chips fold into one line, so the answer owns the first screen.
function setChipsCollapsed(collapsed) {
  $("chip-panel").classList.toggle("collapsed", collapsed);
  $("chip-rows").hidden = collapsed;
  const toggle = $("chips-toggle");
  toggle.hidden = false;
  toggle.setAttribute("aria-expanded", String(!collapsed));
  toggle.textContent = collapsed ? "示例与最近的问题 ▾" : "收起示例与最近的问题 ▴";
}

function answerShown() {
  setChipsCollapsed(true);
  const result = $("result");
  const top = result.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.35) {
    const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    result.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "start" });
  }
}

function closeViewer() {
  if ($("viewer").hidden) return;
  $("viewer").hidden = true;
  if (closeViewer.opener && document.contains(closeViewer.opener)) closeViewer.opener.focus();
}

function initChips() {
  $("chips-toggle").addEventListener("click", () => setChipsCollapsed(!$("chip-panel").classList.contains("collapsed")));
  // 查看原文: Esc closes it, focus goes to its close button and back to the button that opened it.
  document.addEventListener("click", (event) => {
    const opener = event.target instanceof Element ? event.target.closest(".view-source") : null;
    if (opener) { closeViewer.opener = opener; setTimeout(() => $("viewer-close").focus(), 0); }
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeViewer(); });
  $("viewer-close").addEventListener("click", closeViewer);
  loadExamples();
  renderRecent();
}
