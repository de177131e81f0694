// 五学联动学习知识库 — member page. Document text is always inserted with textContent, never as HTML.
"use strict";

let current = null; // the last ask response

function setStatus(message, isError = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", isError);
}

function selectedDocs() {
  return [...document.querySelectorAll("#doc-list input:checked")].map((box) => box.value);
}

function pageLabel(c) {
  if (c.highlight_page) return `第${c.highlight_page}页`;
  if (!c.page) return "";
  return c.page_end && c.page_end !== c.page ? `第${c.page}–${c.page_end}页` : `第${c.page}页`;
}

function passageWithMarks(text, highlight) {
  const node = el("div", { class: "passage" });
  let cursor = 0;
  for (const [start, end] of [...highlight].sort((a, b) => a[0] - b[0])) {
    if (start > cursor) node.append(text.slice(cursor, start));
    node.append(el("mark", {}, text.slice(start, end)));
    cursor = Math.max(cursor, end);
  }
  node.append(text.slice(cursor));
  return node;
}

function renderAnswer(data) {
  const box = $("answer");
  box.replaceChildren();
  $("answer-box").classList.toggle("not-found", !data.found);
  $("answer-title").textContent = data.found ? "回答" : "未找到";
  $("sources-title").textContent = data.found ? "出处" : "可能相关";
  for (const line of data.answer.split("\n")) {
    const p = el("p");
    const parts = line.split(/(\[\d+\])/);
    for (const part of parts) {
      const match = part.match(/^\[(\d+)\]$/);
      if (match) {
        const marker = el("button", { type: "button", class: "marker", title: `查看出处 ${match[1]}` }, `[${match[1]}]`);
        marker.addEventListener("click", () => focusSource(Number(match[1])));
        p.append(marker);
      } else if (part) {
        p.append(part);
      }
    }
    box.append(p);
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

function renderSources(data) {
  const list = $("sources");
  list.replaceChildren();
  for (const c of data.citations) {
    const view = el("button", { type: "button", class: "view-source" }, "查看原文");
    view.addEventListener("click", () => openViewer(c));
    const card = el("li", { class: "source", "data-marker": String(c.marker) },
      el("div", { class: "source-head" }, el("span", { class: "source-num" }, `[${c.marker}]`), c.title),
      el("div", { class: "crumb" }, [c.section || "正文", pageLabel(c)].filter(Boolean).join(" · ")),
      passageWithMarks(c.text, c.highlight),
      el("div", { class: "source-foot" }, el("span", { class: "score" }, `相关度 ${c.score.toFixed(3)}`), view));
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
    for (const p of data.passages) {
      const block = el("div", { class: "viewer-passage" + (p.focus ? " focus" : "") },
        el("span", { class: "crumb" }, [p.section || "正文", pageLabel(p)].filter(Boolean).join(" · ")),
        p.focus ? passageWithMarks(p.text, c.highlight) : el("div", {}, p.text));
      body.append(block);
      if (p.focus) focus = block;
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
    const data = await api("/api/ask", { method: "POST", body: JSON.stringify({ question, doc_ids: docs.length ? docs : null }) });
    current = data;
    renderAnswer(data);
    renderSources(data);
    $("result").hidden = false;
    setStatus(data.found ? `找到 ${data.citations.length} 处出处（${Math.round(data.timing_ms.search + data.timing_ms.answer)} 毫秒）` : "");
    rememberQuestion(question);
    showFeedback(data.query_id);
    answerShown();
  } catch (error) {
    setStatus(`出错了：${error.message}`, true);
  } finally {
    $("ask-button").disabled = false;
  }
}

function answerAsText(data) {
  const lines = [`问：${data.question}`, `答：${data.answer}`, "", data.found ? "出处：" : "可能相关："];
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
