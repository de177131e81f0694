// 文档管理页：命中测试（问答页会怎么做：回答或拒答、拒答分数与阈值、回答与检索段落）和可读的操作日志。
"use strict";

function fmt(value, digits = 3) { return Number(value).toFixed(digits); }

async function initHitTest() {
  $("hit-form").onsubmit = hitTest;
  try {
    const docs = await api("/api/documents");
    $("hit-doc").replaceChildren(el("option", { value: "" }, "全部文档"), ...docs.map((d) => el("option", { value: d.doc_id }, d.title)));
  } catch (_) { /* the filter stays at 全部文档 */ }
  const wanted = new URLSearchParams(location.search).get("hit");  // from the feedback page's 命中测试 link
  if (wanted) {
    $("hit-query").value = wanted;
    await hitTest();
    $("hit-title").scrollIntoView({ block: "start" });
  }
}

function decisionBox(result) {
  const verdict = result.found ? "问答页会回答" : "问答页会拒答（知识库中未找到）";
  const box = [
    el("div", { class: `verdict ${result.found ? "answers" : "refuses"}` }, verdict),
    el("div", { class: "scores" }, `拒答分数 ${fmt(result.refusal_score, 2)} ${result.refusal_score <= result.threshold ? "≤" : ">"} 阈值 ${fmt(result.threshold, 2)}（高于阈值即拒答）· 用时 ${Math.round(result.timing_ms)} 毫秒`),
    el("div", { class: "hit-answer" }, result.answer),
  ];
  if (result.notice) box.push(el("div", { class: "muted" }, result.notice));
  if (result.citations.length) {
    box.push(el("div", { class: "muted" }, (result.found ? "出处：" : "可能相关：") +
      result.citations.map((c) => `[${c.marker}]《${c.title}》${c.section ? " " + c.section : ""}`).join("；")));
  }
  return box;
}

async function hitTest(event) {
  if (event) event.preventDefault();
  const list = $("hit-results");
  const doc = $("hit-doc").value;
  const body = { question: $("hit-query").value, top_k: Number($("hit-k").value), doc_ids: doc ? [doc] : null };
  try {
    const result = await api("/api/admin/hit-test", { method: "POST", body: JSON.stringify(body) });
    $("hit-decision").replaceChildren(...decisionBox(result));
    $("hit-decision").classList.toggle("refuses", !result.found);
    $("hit-decision").hidden = false;
    list.replaceChildren(...result.hits.map((hit) => el("li", {},
      el("div", {}, el("strong", {}, hit.title), " ", el("span", { class: "crumb" }, hit.section), hit.page ? ` · 第${hit.page}页` : ""),
      el("div", { class: "scores" }, `融合 ${fmt(hit.score)} · 向量 ${fmt(hit.dense_score)} · 词 BM25 ${fmt(hit.sparse_score, 2)} · 字对 BM25 ${fmt(hit.bigram_score, 2)}`),
      el("div", { class: "passage" }, hit.text))));
    if (!result.hits.length) list.replaceChildren(el("li", { class: "muted" }, "没有检索到段落"));
  } catch (error) {
    $("hit-decision").hidden = true;
    list.replaceChildren(el("li", { class: "refused" }, error.message));
  }
}

// The audit log as readable lines: 时间 · 谁 · 做了什么（文档以标题称呼）.
async function loadAudit() {
  let entries;
  try { entries = await api("/api/admin/audit?limit=100"); } catch (_) { return; }
  $("audit").replaceChildren(...entries.map((e) => el("li", { class: e.action === "job_failed" || e.action === "refuse_upload" ? "refused" : "" },
    el("time", { dateTime: new Date(e.at * 1000).toISOString() }, shortTime(e.at)), " ",
    el("span", { class: "actor" }, e.actor), " ", e.text || `${e.action_label} ${e.target}`)));
  if (!entries.length) $("audit").replaceChildren(el("li", { class: "muted" }, "还没有操作记录"));
}
