// 五学联动学习知识库 — member page. Document text is always inserted with textContent, never as HTML.
"use strict";

const HISTORY_LIMIT = 5; // previous questions sent with each ask, so 那权利呢？ is read against them
let current = null; // the last ask response
let asked = []; // this visit's questions, oldest first (as typed; the server resolves follow-ups)

function setStatus(message, isError = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", isError);
}

function selectedDocs() {
  return [...document.querySelectorAll("#doc-list input:checked")].map((box) => box.value);
}

function pageLabel(c) {
  const pages = [...new Set((c.highlight_pages || []).filter(Boolean))].sort((a, b) => a - b);
  if (pages.length > 1) return `第${pages.join("、")}页`;
  if (c.highlight_page) return `第${c.highlight_page}页`;
  if (!c.page) return "";
  return c.page_end && c.page_end !== c.page ? `第${c.page}–${c.page_end}页` : `第${c.page}页`;
}

// Appends text to node with every span ([start, end) offsets into text) in a <mark>; overlapping spans merge.
function appendMarked(node, text, spans) {
  let cursor = 0;
  const clipped = (spans || [])
    .map(([s, e]) => [Math.max(0, s), Math.min(text.length, e)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  for (const [start, end] of clipped) {
    if (end <= cursor) continue;
    if (start > cursor) node.append(text.slice(cursor, start));
    node.append(el("mark", {}, text.slice(Math.max(start, cursor), end)));
    cursor = end;
  }
  node.append(text.slice(cursor));
  return node;
}

function passageWithMarks(text, highlight) {
  return appendMarked(el("div", { class: "passage" }), text, highlight);
}

// A line of answer text with its [n] markers as buttons that bring the source into view.
function withMarkers(node, line) {
  for (const part of line.split(/(\[\d+\])/)) {
    const match = part.match(/^\[(\d+)\]$/);
    if (match) {
      const marker = el("button", { type: "button", class: "marker", title: `查看出处 ${match[1]}` }, `[${match[1]}]`);
      marker.addEventListener("click", () => focusSource(Number(match[1])));
      node.append(marker);
    } else if (part) {
      node.append(part);
    }
  }
  return node;
}

function plainQuestion(text) {
  return (text || "").replace(/[？?。\s]+$/u, "");
}

function renderNotes(data) {
  const resolved = $("resolved");
  resolved.hidden = !data.resolved_question;
  resolved.textContent = data.resolved_question ? `按‘${plainQuestion(data.resolved_question)}’理解` : "";
  const scope = $("scope-notice");
  scope.hidden = !data.scope_notice;
  scope.textContent = data.scope_notice || "";
}

function renderAnswer(data) {
  const box = $("answer");
  box.replaceChildren();
  renderNotes(data);
  $("answer-box").classList.toggle("not-found", !data.found);
  $("answer-title").textContent = data.found ? "回答" : "未找到";
  $("sources-title").textContent = data.found ? "出处" : "可能相关";
  const direct = data.found ? (data.direct || "").trim() : "";
  // The direct line leads the answer box, so every marker of the answer lives under #answer.
  // Several questions in one message have one direct line each.
  const directLines = direct ? direct.split("\n").map((line) => line.trim()).filter(Boolean) : [];
  if (directLines.length) {
    const lead = el("div", { id: "direct", class: "direct" });
    for (const line of directLines) lead.append(withMarkers(el("p"), line));
    box.append(lead);
  }
  let lines = (data.answer || "").split("\n");
  const head = lines.slice(0, directLines.length).map((line) => line.trim());
  if (directLines.length && head.join("\n") === directLines.join("\n")) lines = lines.slice(directLines.length); // shown above
  for (const line of lines) {
    if (line.trim()) box.append(withMarkers(el("p", { class: direct ? "quote-line" : "" }), line));
  }
  if (data.mode === "llm") box.append(el("p", { class: "muted" }, "（由大模型依据上列出处撰写）"));
  if (data.unsupported && data.unsupported.length) {
    box.append(el("p", { class: "status error" }, `以下句子没有标注出处，请谨慎参考：${data.unsupported.join(" ")}`));
  }
  if (data.notice) box.append(el("p", { class: "muted" }, data.notice));
}

function focusSource(n) {
  const card = document.querySelector(`.source[data-marker="${n}"]`);
  if (!card) return;
  card.scrollIntoView({ behavior: "smooth", block: "center" });
  card.classList.add("flash");
  setTimeout(() => card.classList.remove("flash"), 1500);
}

function alsoIn(c) {
  const places = (c.also_in || []).map((o) => [o.title, o.section || "正文", o.page ? `第${o.page}页` : ""].filter(Boolean).join(" · "));
  return places.length ? el("div", { class: "also-in" }, `亦见：${places.join("；")}`) : null;
}

function renderSources(data) {
  const list = $("sources");
  list.replaceChildren();
  for (const c of data.citations) {
    const view = el("button", { type: "button", class: "view-source" }, "查看原文");
    view.addEventListener("click", () => openViewer(c));
    const card = el("li", { class: "source", "data-marker": String(c.marker) },
      el("div", { class: "source-head" }, el("span", { class: "source-num" }, `[${c.marker}]`), c.title),
      el("div", { class: "crumb" }, [c.section || "正文", pageLabel(c)].filter(Boolean).join(" · ")),
      passageWithMarks(c.text, c.highlight || []));
    if (c.source === "ocr") card.append(el("div", { class: "ocr-note" }, "本段由扫描件识别，可能有误"));
    const also = alsoIn(c);
    if (also) card.append(also);
    card.append(el("div", { class: "source-foot" }, el("span", { class: "score" }, `相关度 ${Number(c.score || 0).toFixed(3)}`), view));
    list.append(card);
  }
}

async function openViewer(c) {
  $("viewer").hidden = false;
  $("viewer-title").textContent = c.title;
  const body = $("viewer-body");
  body.replaceChildren(el("p", { class: "muted" }, "正在加载原文…"));
  try {
    const data = await api(`/api/documents/${encodeURIComponent(c.doc_id)}/text?around=${encodeURIComponent(c.chunk_id)}&radius=3`);
    body.replaceChildren();
    let focus = null;
    let block = null;
    let text = null;
    let section = null;
    // Passages come back continuous (each starts where the previous ended): one block per section and per
    // cited/uncited stretch, the section shown once, the cited spans marked at their offsets in the document.
    for (const p of data.passages) {
      const cited = p.focus || (p.char_start < c.char_end && p.char_end > c.char_start);
      const kind = "viewer-passage" + (cited ? " focus" : "");
      let shown = p.text;
      let offset = p.char_start;
      if (!block || p.section !== section || block.className !== kind) {
        block = el("div", { class: kind });
        if (p.section !== section) block.append(el("span", { class: "crumb" }, [p.section || "正文", pageLabel(p)].filter(Boolean).join(" · ")));
        text = el("div", {});
        block.append(text);
        body.append(block);
        section = p.section;
        if (cited && !focus) focus = block;
        const lead = shown.match(/^\s+/); // the line break between two chunks opens no block with a blank line
        if (lead) { shown = shown.slice(lead[0].length); offset += lead[0].length; }
      }
      const spans = cited ? (c.highlight || []).map(([s, e]) => [c.char_start + s - offset, c.char_start + e - offset]) : [];
      appendMarked(text, shown, spans);
    }
    if (focus) focus.scrollIntoView({ block: "center" });
  } catch (error) {
    body.replaceChildren(el("p", { class: "status error" }, `无法加载原文：${error.message}`));
  }
}

async function ask() {
  const question = $("question").value.trim();
  if (!question) { setStatus("请输入问题", true); return; }
  $("ask-button").disabled = true;
  setStatus("正在检索原文…");
  $("feedback-status").textContent = "";
  try {
    const docs = selectedDocs();
    const history = asked.slice(-HISTORY_LIMIT);
    const data = await api("/api/ask", { method: "POST", body: JSON.stringify({ question, doc_ids: docs.length ? docs : null, history }) });
    current = data;
    renderAnswer(data);
    renderSources(data);
    $("result").hidden = false;
    setStatus(data.found ? `找到 ${data.citations.length} 处出处（${Math.round(data.timing_ms.search + data.timing_ms.answer)} 毫秒）` : "");
    asked.push(question);
    renderContext(data);
    rememberQuestion(data.resolved_question || question);
    showFeedback(data.query_id);
    answerShown();
  } catch (error) {
    setStatus(`出错了：${error.message}`, true);
  } finally {
    $("ask-button").disabled = false;
  }
}

// Under the form: what a follow-up (那权利呢？) will be read against, and a way to start a new topic.
function renderContext(data) {
  const box = $("context");
  box.replaceChildren();
  box.hidden = !asked.length;
  if (!asked.length) return;
  const last = plainQuestion(data && data.resolved_question ? data.resolved_question : asked[asked.length - 1]);
  const reset = el("button", { type: "button", class: "link-button" }, "换个话题");
  reset.addEventListener("click", () => { asked = []; renderContext(null); $("question").focus(); });
  box.append(`追问（如“那……呢？”）将接着“${last}”理解 · `, reset);
}

function answerAsText(data) {
  const question = data.resolved_question ? `${data.question}（按“${plainQuestion(data.resolved_question)}”理解）` : data.question;
  const lines = [`问：${question}`];
  if (data.scope_notice) lines.push(data.scope_notice);
  lines.push(`答：${data.answer}`, "", data.found ? "出处：" : "可能相关：");
  for (const c of data.citations) {
    lines.push(`[${c.marker}] 《${c.title}》 ${c.section || "正文"}${c.page ? " " + pageLabel(c) : ""}`);
    for (const [s, e] of c.highlight) lines.push(`    “${c.text.slice(s, e)}”`);
  }
  return lines.join("\n");
}

async function copyAnswer() {
  if (!current) return;
  const text = answerAsText(current);
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    const area = el("textarea", { value: text });
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  setStatus("已复制回答与出处");
}

async function loadDocuments() {
  try {
    const docs = await api("/api/documents");
    const list = $("doc-list");
    list.replaceChildren(...docs.map((d) => el("label", {}, el("input", { type: "checkbox", value: d.doc_id }), ` ${d.title}（${d.kind}）`)));
    list.addEventListener("change", () => {
      const n = selectedDocs().length;
      $("filter-count").textContent = n ? `（已选 ${n}）` : "";
    });
  } catch (error) {
    setStatus(`无法加载文档列表：${error.message}`, true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask-form").addEventListener("submit", (event) => { event.preventDefault(); ask(); });
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); ask(); }
  });
  $("copy").addEventListener("click", copyAnswer);
  $("viewer-close").addEventListener("click", () => { $("viewer").hidden = true; });
  loadDocuments();
  initChips();
});
