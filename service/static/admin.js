// 文档管理页：上传（拖放）、进度、文档列表、预览、版本、命中测试、操作日志。文本一律以 textContent 插入。
"use strict";

const JOB_LABELS = { queued: "排队中", running: "索引中", succeeded: "完成", failed: "失败", cancelled: "已取消" };

function when(seconds) {
  return seconds ? new Date(seconds * 1000).toLocaleString("zh-CN", { hour12: false }) : "";
}

// ---- login -------------------------------------------------------------------------------
async function start() {
  if (!await adminGate("admin")) return;
  await Promise.all([loadKinds(), loadDocuments(), loadAudit(), initHitTest()]);
}

// ---- upload ------------------------------------------------------------------------------
async function loadKinds() {
  const kinds = await api("/api/admin/documents/kinds");
  const select = $("meta-kind");
  select.replaceChildren(el("option", { value: "" }, "（不指定）"), ...kinds.map((k) => el("option", { value: k }, k)));
}

async function upload(files) {
  if (!files.length) return;
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  const fields = { title: "meta-title", kind: "meta-kind", date: "meta-date", issuer: "meta-issuer" };
  for (const [name, id] of Object.entries(fields)) if ($(id).value.trim()) form.append(name, $(id).value.trim());
  const list = $("upload-results");
  try {
    const result = await api("/api/admin/documents", { method: "POST", body: form });
    for (const item of result.refused) {
      list.prepend(el("li", { class: "refused", "data-filename": item.filename }, `✗ ${item.filename}：${item.reason}`));
    }
    for (const item of result.accepted) {
      list.prepend(el("li", { "data-filename": item.filename, "data-job": item.job_id }, `${item.filename} → 新文档《${item.title}》（${item.doc_id}） `, ...jobProgress(item.job_id)));
    }
  } catch (error) {
    list.prepend(el("li", { class: "refused" }, `上传失败：${error.message}`));
  }
  loadDocuments();
  loadAudit();
}

// A progress bar and a label that follow one job; returned as nodes to put in any line.
function jobProgress(jobId) {
  const bar = el("progress", { max: 1, value: 0 });
  const label = el("span", { class: "job-label" }, "排队中");
  followJob(jobId, bar, label);
  return [bar, " ", label];
}

// Poll a job until it ends; one bar over the whole job (stages weighted, see jobPercent in admin_table.js).
async function followJob(jobId, bar, label) {
  bar.max = 100;
  for (;;) {
    let job;
    try { job = await api(`/api/admin/jobs/${encodeURIComponent(jobId)}`); } catch (error) { label.textContent = error.message; return; }
    bar.value = jobPercent(job);
    if (job.state === "running") label.textContent = jobProgressText(job);
    else label.textContent = JOB_LABELS[job.state] + (job.error ? `：${job.error}` : "");
    label.dataset.state = job.state;
    if (["succeeded", "failed", "cancelled"].includes(job.state)) {
      if (job.state === "succeeded") bar.value = 100;
      label.classList.toggle("refused", job.state !== "succeeded");
      loadDocuments();
      loadAudit();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function bindDrop() {
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    upload([...event.dataTransfer.files]);
  });
  drop.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") $("file-input").click(); });
  $("file-input").addEventListener("change", () => { upload([...$("file-input").files]); $("file-input").value = ""; });
}

// ---- document list -----------------------------------------------------------------------
function actionButton(label, handler) {
  const button = el("button", { type: "button" }, label);
  button.addEventListener("click", handler);
  return button;
}

function actionsCell(row) {
  const cell = el("td", { class: "actions" });
  if (row.status === "indexed") {
    cell.append(actionButton("预览", () => showPreview(row)), actionButton("历史", () => showHistory(row)),
      actionButton("编辑", () => showEdit(row)), replaceButton(row), actionButton("删除", () => removeDocument(row)));
  } else if (row.status === "deleted") {
    cell.append(actionButton("历史", () => showHistory(row)), actionButton("清除历史", () => purge(row)));
  } else if (row.job_id && ["queued", "running"].includes(row.status)) {
    cell.append(actionButton("取消", async () => { await api(`/api/admin/jobs/${row.job_id}/cancel`, { method: "POST" }); loadDocuments(); }));
  }
  return cell;
}

// 替换 is the only way a document changes its text: pick a file, see old and new side by side, then confirm.
function replaceButton(row) {
  const input = el("input", { type: "file", accept: ".pdf,.docx,.doc,.wps,.ofd,.png,.jpg,.jpeg,.tif,.tiff,.bmp,.txt,.md,.markdown,.html,.htm", hidden: true });
  input.addEventListener("change", () => {
    const file = input.files[0];
    input.value = "";
    if (file) showReplacePreview(row, file);
  });
  return el("span", {}, actionButton("替换", () => input.click()), input);
}

function sizeLabel(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function comparisonTable(preview) {
  const sides = [preview.current, preview.new];
  const line = (label, value) => el("tr", {}, el("th", {}, label), ...sides.map((side) => el("td", {}, value(side))));
  return el("table", { class: "compare" },
    el("thead", {}, el("tr", {}, el("th", {}, ""), el("th", {}, "当前版本"), el("th", {}, "新文件"))),
    el("tbody", {},
      line("标题", (s) => s.title),
      line("文件名", (s) => s.filename),
      line("文中日期", (s) => s.stated_date || (s.stated_year ? `${s.stated_year}年` : "（未写明）")),
      line("元数据日期", (s) => s.date || "—"),
      line("大小", (s) => `${sizeLabel(s.size_bytes)} · ${s.chars} 字 · ${s.chunks} 块`),
      el("tr", {}, el("th", {}, "开头几行"), ...sides.map((s) => el("td", {}, el("div", { class: "first-lines" }, s.first_lines.join("\n")))))));
}

function diffBlock(preview) {
  const lines = preview.diff.map((text) => el("div", { class: text.startsWith("+") && !text.startsWith("+++") ? "added" : text.startsWith("-") && !text.startsWith("---") ? "removed" : "" }, text));
  return el("div", {},
    el("h3", {}, `文字差异：新增 ${preview.added_lines} 行，删除 ${preview.removed_lines} 行${preview.diff_truncated ? "（只显示前 80 行）" : ""}`),
    lines.length ? el("div", { class: "diff" }, ...lines) : el("p", { class: "muted" }, "解析后的文字没有差异"));
}

async function showReplacePreview(row, file) {
  openDetail(`替换：${row.title}`, el("p", { class: "status" }, `正在解析 ${file.name} 并与当前版本比较…`));
  let preview;
  try {
    const form = new FormData();
    form.append("file", file, file.name);
    preview = await api(`/api/admin/documents/${encodeURIComponent(row.doc_id)}/versions/preview`, { method: "POST", body: form });
  } catch (error) {
    openDetail(`替换：${row.title}`, el("p", { class: "refused" }, `✗ ${file.name}：${error.message}`));
    return;
  }
  const kinds = await api("/api/admin/documents/kinds");
  const warnings = preview.warnings.map((text) => el("li", {}, text));
  const acknowledge = el("input", { type: "checkbox", name: "acknowledge" });
  const form = el("form", { class: "grid replace-form" },
    el("label", {}, "标题 ", el("input", { name: "title", value: row.title, maxLength: 200, required: true })),
    el("label", {}, "类型 ", el("select", { name: "kind" }, ...kinds.map((k) => el("option", { value: k, selected: k === row.kind }, k)))),
    el("label", {}, "日期 ", el("input", { name: "date", value: row.date, maxLength: 40 })),
    el("label", {}, "发布机关 ", el("input", { name: "issuer", value: row.issuer, maxLength: 200 })));
  const confirmButton = el("button", { type: "button", class: "primary", disabled: warnings.length > 0 }, "确认替换");
  const cancelButton = el("button", { type: "button" }, "取消");
  acknowledge.addEventListener("change", () => { confirmButton.disabled = !acknowledge.checked; });
  const note = el("p", { class: "status", role: "status" });
  cancelButton.addEventListener("click", () => { $("detail").hidden = true; });
  confirmButton.addEventListener("click", async () => {
    const body = new FormData();
    body.append("file", file, file.name);
    const original = { title: row.title, kind: row.kind, date: row.date, issuer: row.issuer };
    for (const [name, value] of new FormData(form).entries()) if (String(value).trim() !== (original[name] || "")) body.append(name, String(value).trim());
    confirmButton.disabled = true;
    try {
      const item = await api(`/api/admin/documents/${encodeURIComponent(row.doc_id)}/versions`, { method: "POST", body });
      $("detail").hidden = true;
      $("upload-results").prepend(el("li", { "data-filename": item.filename, "data-job": item.job_id }, `${item.filename} → 替换《${row.title}》（新版本） `, ...jobProgress(item.job_id)));
      loadDocuments();
      loadAudit();
    } catch (error) {
      note.textContent = error.message;
      note.classList.add("error");
      confirmButton.disabled = false;
    }
  });
  openDetail(`替换：${row.title}`,
    el("p", {}, `用 ${file.name} 替换《${row.title}》（${row.doc_id}）。旧版本保留在版本历史中，可以恢复。`),
    warnings.length ? el("div", { class: "warnings", role: "alert" }, el("strong", {}, "请注意："), el("ul", {}, ...warnings),
      el("label", {}, acknowledge, " 我已核对，仍要替换")) : "",
    comparisonTable(preview), diffBlock(preview),
    el("h3", {}, "替换时一并修改元数据（可选）"), form, el("div", { class: "replace-actions" }, confirmButton, " ", cancelButton), note);
}

async function removeDocument(row) {
  if (!confirm(`删除《${row.title}》？它将不再被检索，但原文件与版本历史会保留，可以恢复。`)) return;
  await api(`/api/admin/documents/${encodeURIComponent(row.doc_id)}`, { method: "DELETE" });
  loadDocuments();
  loadAudit();
}

async function purge(row) {
  if (!confirm(`彻底清除《${row.title}》的历史版本与原文件？此操作不可恢复。`)) return;
  try { await api(`/api/admin/documents/${encodeURIComponent(row.doc_id)}/history`, { method: "DELETE" }); } catch (error) { alert(error.message); }
  loadDocuments();
  loadAudit();
}

// ---- detail panel: preview, history, edit ------------------------------------------------
function openDetail(title, ...content) {
  $("detail-title").textContent = title;
  $("detail-body").replaceChildren(...content);
  $("detail").hidden = false;
  $("detail").scrollIntoView({ behavior: "smooth" });
}

async function showPreview(row) {
  const [parsed, text] = await Promise.all([
    api(`/api/admin/documents/${encodeURIComponent(row.doc_id)}/parsed`),
    api(`/api/documents/${encodeURIComponent(row.doc_id)}/text`),
  ]);
  const chunks = text.passages.map((p, i) => el("div", { class: "chunk" },
    el("span", { class: "crumb" }, `#${i + 1} ${p.section}${p.page ? ` · 第${p.page}页` : ""} · ${p.text.length} 字 · [${p.char_start}, ${p.char_end})`), p.text));
  openDetail(`预览：${row.title}`,
    el("h3", {}, `解析后的全文（${parsed.chars} 字）`), el("div", { class: "parsed" }, parsed.text),
    el("h3", {}, `切分结果（${chunks.length} 块）`), ...chunks);
}

async function showHistory(row) {
  const versions = await api(`/api/admin/documents/${encodeURIComponent(row.doc_id)}/versions`);
  const statusLabel = { current: "当前版本", superseded: "历史版本", deleted: "已删除" };
  const items = versions.map((v) => {
    const line = el("li", { "data-version": v.version },
      `第 ${v.version} 版 · ${statusLabel[v.status] || v.status} · ${v.filename} · ${v.actor || "—"} · ${when(v.created_at)}${v.note ? ` · ${v.note}` : ""} `);
    if (v.status !== "current") {
      line.append(actionButton("恢复此版本", async () => {
        const job = await api(`/api/admin/documents/${encodeURIComponent(row.doc_id)}/versions/${v.version}/restore`, { method: "POST" });
        line.append(" ", ...jobProgress(job.id));
      }));
    }
    return line;
  });
  openDetail(`版本历史：${row.title}`, versions.length ? el("ul", { class: "results" }, ...items) : el("p", { class: "muted" }, "没有历史记录"));
}

async function showEdit(row) {
  const kinds = await api("/api/admin/documents/kinds");
  const form = el("form", { class: "grid" },
    el("label", {}, "标题 ", el("input", { name: "title", value: row.title, maxLength: 200, required: true })),
    el("label", {}, "类型 ", el("select", { name: "kind" }, ...kinds.map((k) => el("option", { value: k, selected: k === row.kind }, k)))),
    el("label", {}, "日期 ", el("input", { name: "date", value: row.date, maxLength: 40 })),
    el("label", {}, "发布机关 ", el("input", { name: "issuer", value: row.issuer, maxLength: 200 })),
    el("button", { type: "submit" }, "保存（后台重建该文档）"));
  const note = el("p", { class: "status", role: "status" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    try {
      await api(`/api/admin/documents/${encodeURIComponent(row.doc_id)}`, { method: "PATCH", body: JSON.stringify(data) });
      note.textContent = "已提交，正在重建该文档的索引";
      loadDocuments();
      loadAudit();
    } catch (error) { note.textContent = error.message; note.classList.add("error"); }
  });
  openDetail(`编辑元数据：${row.title}`, form, note);
}

// ---- re-index (命中测试 and the audit log: admin_tools.js) ----------------------------------
async function reindex(full) {
  if (full && !confirm("全量重建会重新解析并重建全部文档的索引（已缓存的向量会复用），期间问答照常进行。继续？")) return;
  const job = await api(`/api/admin/reindex?full=${full}`, { method: "POST" });
  $("upload-results").prepend(el("li", {}, full ? "全量重建索引 " : "增量重建索引 ", ...jobProgress(job.id)));
}

document.addEventListener("DOMContentLoaded", () => {
  bindLoginForm($("login-form"), () => { $("login-error").textContent = ""; start(); }, (message) => { $("login-error").textContent = message; });
  $("logout").addEventListener("click", async () => { await logout(); location.reload(); });
  $("detail-close").addEventListener("click", () => { $("detail").hidden = true; });
  $("reindex").addEventListener("click", () => reindex(false));
  $("reindex-full").addEventListener("click", () => reindex(true));
  bindDrop();
  start().catch((error) => { $("login-error").textContent = error.message; $("login-panel").hidden = false; });
});
