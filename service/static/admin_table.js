// 文档管理页：文档表（桌面为表格，手机为卡片）、搜索与分页、状态标签、整个任务一条进度条。
"use strict";

// One bar over the whole job: each stage owns a share of it (解析切分 → 向量化 → 写入).
const JOB_STAGES = [
  { id: "parse", label: "解析切分", weight: 0.2 },
  { id: "embed", label: "向量化", weight: 0.7 },
  { id: "write", label: "写入索引", weight: 0.1 },
];

function jobPercent(job) {
  if (job.state === "succeeded") return 100;
  if (job.state !== "running") return 0;
  let before = 0;
  for (const stage of JOB_STAGES) {
    if (stage.id === job.stage) {
      const share = job.total > 0 ? Math.min(job.done / job.total, 1) : 0;
      return Math.round((before + stage.weight * share) * 100);
    }
    before += stage.weight;
  }
  return 0;
}

function jobProgressText(job) {
  const stage = JOB_STAGES.find((s) => s.id === job.stage);
  const step = stage ? (stage.id === "write" ? stage.label : `${stage.label} ${job.done}/${job.total}`) : "准备中";
  return `索引中 · ${step} · 总进度 ${jobPercent(job)}%`;
}

const DOC_BADGES = { indexed: "ok", queued: "busy", running: "busy", failed: "bad", cancelled: "bad", deleted: "off" };
const DOC_FILTERS = { indexed: ["indexed"], active: ["queued", "running"], failed: ["failed", "cancelled"], deleted: ["deleted"] };
const docsPerPage = () => Number($("docs").dataset.perPage) || 20;
const docsView = { rows: [], page: 1 };
let docsTimer = null;

function shortTime(seconds) {
  if (!seconds) return "";
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function statusCell(row) {
  const cell = el("td", { class: "state", "data-label": "状态" },
    el("span", { class: `badge badge-${DOC_BADGES[row.status] || "off"}` }, row.status_label));
  if (row.status === "running") {
    const job = { state: "running", stage: row.stage, done: row.done, total: row.total };
    cell.append(el("progress", { max: 100, value: jobPercent(job), class: "row-progress" }));
  }
  if (row.error) cell.append(el("div", { class: "refused row-error", title: row.error }, row.error));
  return cell;
}

function docMatches(row, words, filter) {
  if (filter && !(DOC_FILTERS[filter] || []).includes(row.status)) return false;
  const haystack = [row.title, row.doc_id, row.kind, row.filename, row.uploaded_by, row.issuer, row.date].join(" ").toLowerCase();
  return words.every((w) => haystack.includes(w));
}

function docRow(row) {
  const cell = (label, ...content) => el("td", { "data-label": label }, ...content);
  const meta = [row.doc_id, row.kind, row.date].filter(Boolean).join(" · ");
  const actions = actionsCell(row);
  actions.dataset.label = "操作";
  return el("tr", { "data-doc": row.doc_id },
    el("td", { class: "col-title" }, el("div", { class: "doc-title" }, row.title), el("div", { class: "muted doc-meta" }, meta)),
    statusCell(row), el("td", { class: "num", "data-label": "切块" }, row.chunk_count || "—"),
    cell("版本", row.version ? `第 ${row.version} 版` : "—"), cell("上传人", row.uploaded_by || "—"),
    el("td", { class: "time", "data-label": "时间" }, shortTime(row.uploaded_at)), actions);
}

function pagerButton(label, page, disabled) {
  const button = el("button", { type: "button", disabled }, label);
  button.addEventListener("click", () => { docsView.page = page; renderDocs(); });
  return button;
}

function renderDocs() {
  const words = $("docs-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = docsView.rows.filter((row) => docMatches(row, words, $("docs-filter").value));
  const pages = Math.max(1, Math.ceil(shown.length / docsPerPage()));
  docsView.page = Math.min(Math.max(1, docsView.page), pages);
  const first = (docsView.page - 1) * docsPerPage();
  const body = $("docs").querySelector("tbody");
  body.replaceChildren(...shown.slice(first, first + docsPerPage()).map(docRow));
  if (!shown.length) body.append(el("tr", { class: "empty" }, el("td", { colSpan: 7, class: "muted" }, docsView.rows.length ? "没有符合条件的文档" : "还没有文档，请先上传")));
  const indexed = docsView.rows.filter((r) => r.status === "indexed").length;
  const filtered = shown.length !== docsView.rows.length ? `，符合条件 ${shown.length} 个` : "";
  showStatus("docs-status", `共 ${indexed} 个已索引文档${filtered}`);
  const pager = $("docs-pager");
  pager.replaceChildren();
  if (pages > 1) {
    pager.append(pagerButton("上一页", docsView.page - 1, docsView.page === 1),
      el("span", { class: "muted" }, ` 第 ${docsView.page} / ${pages} 页 `), pagerButton("下一页", docsView.page + 1, docsView.page === pages));
  }
}

async function loadDocuments() {
  try { docsView.rows = await api("/api/admin/documents"); } catch (error) { showStatus("docs-status", error.message, true); return; }
  renderDocs();
  clearTimeout(docsTimer);
  if (docsView.rows.some((r) => ["queued", "running"].includes(r.status))) docsTimer = setTimeout(loadDocuments, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  $("docs-search").addEventListener("input", () => { docsView.page = 1; renderDocs(); });
  $("docs-filter").addEventListener("change", () => { docsView.page = 1; renderDocs(); });
});
