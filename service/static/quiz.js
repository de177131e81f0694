// 五学联动学习知识库 — quiz page: leaders generate, review and export quiz sets; members practise a shared set.
// Document text is always inserted with textContent (el() from common.js), never as HTML.
"use strict";

const TYPE_ORDER = ["single", "multi", "blank", "judge"];
const TYPE_LABELS = { single: "单选题", multi: "多选题", blank: "填空题", judge: "判断题", document: "文档覆盖" };
const ROLE_LABELS = { member: "成员", leader: "组长", admin: "管理员" };
const DIFFICULTY_LABELS = { easy: "容易", medium: "中等", hard: "较难" };
const EXPORTS = [
  ["docx", "none", "Word（仅试题）"], ["docx", "inline", "Word（题后附答案）"], ["docx", "end", "Word（卷尾附答案）"],
  ["xlsx", "end", "Excel"], ["json", "end", "JSON"], ["txt", "inline", "纯文本"], ["gift", "end", "Moodle GIFT"], ["aiken", "end", "Aiken（仅单选、判断）"],
];
const BLANK_RE = /_{2,}|＿{2,}|（[ \u3000]*）|\([ \u3000]*\)/g;
const BLANK = "＿＿＿＿";
const GATE_LABELS = {
  blocklist: "不宜出现的选项", grounded: "与原文不符", leak: "泄露答案", worth_asking: "不值得考", unambiguous: "答案不唯一", judge_edit: "判断题改写不当",
  near_duplicate: "与已选题重复", retrievable: "检索不到出处", chunk_reuse: "同一段落出题过多",
};

let user = null;
let quiz = null; // the quiz set shown in the preview
let practiceSet = null;
const practiceId = new URLSearchParams(location.search).get("practice");

function setStatus(message, isError = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", isError);
}

function paperOrder(items) {
  return [...items].sort((a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type));
}

function shownStem(item) {
  return item.type === "blank" ? item.stem.replace(BLANK_RE, BLANK) : item.stem;
}

function answerLabel(item) {
  const answer = item.answer || { keys: [], texts: [] };
  if (item.type === "blank") return answer.texts.join("；") + (answer.any_order && answer.texts.length > 1 ? "（顺序不限）" : "");
  if (item.type === "judge") return answer.texts[0] || answer.keys.join("");
  return `${[...answer.keys].sort().join("")}（${answer.texts.join("、")}）`;
}

function sourceLabel(citation) {
  let label = `《${citation.title || citation.doc_id}》`;
  if (citation.section) label += ` › ${citation.section}`;
  if (citation.page) label += ` · 第${citation.page}页`;
  return label;
}

// The quote with every occurrence of an answer text in <mark>, built from text nodes only.
function markedQuote(quote, needles) {
  const node = el("blockquote", { class: "quote" });
  const found = [...new Set(needles.filter((n) => n && quote.includes(n)))].sort((a, b) => b.length - a.length);
  let rest = quote;
  while (rest) {
    let best = null;
    for (const needle of found) {
      const at = rest.indexOf(needle);
      if (at >= 0 && (best === null || at < best.at)) best = { at, needle };
    }
    if (!best) { node.append(rest); break; }
    node.append(rest.slice(0, best.at), el("mark", {}, best.needle));
    rest = rest.slice(best.at + best.needle.length);
  }
  return node;
}

// The generator's explanation (原文：… with the answer as 【…】) with the marked parts in <mark>.
function markedExplanation(explanation) {
  const node = el("p", { class: "quote" });
  for (const piece of explanation.split(/(【[^【】]*】)/)) {
    if (/^【[^【】]*】$/.test(piece)) node.append(el("mark", {}, piece.slice(1, -1)));
    else if (piece) node.append(piece);
  }
  return node;
}

function sourceBox(item) {
  const citation = item.citation || {};
  const box = el("div", { class: "item-source" }, el("div", { class: "crumb" }, "出处：", sourceLabel(citation)));
  if (item.explanation) box.append(markedExplanation(item.explanation));
  else if (citation.quote) box.append(markedQuote(citation.quote, item.type === "judge" ? [] : (item.answer.texts || [])));
  return box;
}

// ------------------------------------------------------------------ login and start

function showAccount() {
  $("account").hidden = !user;
  if (user) $("account-name").textContent = `已登录：${user.username}（${ROLE_LABELS[user.role] || user.role}）`;
}

function showLogin(hint) {
  $("login-section").hidden = false;
  $("workspace").hidden = true;
  $("practice").hidden = true;
  $("login-hint").textContent = hint;
}

async function start() {
  user = await currentUser();
  showAccount();
  $("login-section").hidden = true;
  if (practiceId) {
    if (!hasRole(user, "member")) return showLogin("练习需要先登录（成员账号即可）。");
    return openPractice(practiceId);
  }
  if (!hasRole(user, "leader")) {
    return showLogin(user ? "当前账号没有出题权限，请用组长或管理员账号登录。" : "出题需要组长或管理员账号。");
  }
  $("workspace").hidden = false;
  await Promise.all([loadDocuments(), loadMySets()]);
}

// ------------------------------------------------------------------ documents and sections

async function loadDocuments() {
  const picker = $("doc-picker");
  const docs = await api("/api/documents");
  picker.replaceChildren();
  for (const doc of docs) {
    const box = el("input", { type: "checkbox", value: doc.doc_id, class: "doc-box" });
    const sections = el("details", { class: "sections" }, el("summary", {}, "章节"));
    sections.addEventListener("toggle", () => { if (sections.open) loadSections(doc.doc_id, sections, box); }, { once: false });
    picker.append(el("div", { class: "doc-entry" },
      el("label", {}, box, ` ${doc.title} `, el("span", { class: "muted" }, `（${doc.kind || "文档"}，${doc.chunk_count}段）`)),
      sections));
  }
  if (!docs.length) picker.append(el("p", { class: "muted" }, "知识库中还没有文档，请管理员先上传。"));
}

async function loadSections(docId, details, docBox) {
  if (details.dataset.loaded) return;
  details.dataset.loaded = "1";
  const list = el("div", { class: "section-list" }, el("span", { class: "muted" }, "加载中…"));
  details.append(list);
  try {
    const detail = await api(`/api/documents/${encodeURIComponent(docId)}`);
    list.replaceChildren();
    for (const entry of detail.outline) {
      const box = el("input", { type: "checkbox", value: entry.path.join(" › "), class: "section-box", "data-doc": docId });
      box.addEventListener("change", () => { if (box.checked) docBox.checked = true; });
      list.append(el("label", { class: `depth-${Math.min(entry.path.length, 4)}` }, box, " ", entry.label));
    }
    if (!detail.outline.length) list.append(el("span", { class: "muted" }, "该文档没有章节目录"));
  } catch (error) {
    list.replaceChildren(el("span", { class: "status error" }, error.message));
  }
}

function readForm() {
  const docIds = [...document.querySelectorAll(".doc-box:checked")].map((box) => box.value);
  const sections = [...document.querySelectorAll(".section-box:checked")].map((box) => box.value);
  const counts = {};
  for (const type of TYPE_ORDER) counts[type] = Number($(`count-${type}`).value || 0);
  return {
    doc_ids: docIds, sections, counts, difficulty: $("difficulty").value,
    seed: Number($("seed").value || 0), title: $("quiz-title").value.trim(),
  };
}

async function generate(event) {
  event.preventDefault();
  const body = readForm();
  if (!body.doc_ids.length) return setStatus("请至少选择一个文档", true);
  const button = $("generate");
  button.disabled = true;
  setStatus("正在出题，请稍候…");
  try {
    const created = await api("/api/quiz", { method: "POST", body: JSON.stringify(body) });
    quiz = await api(`/api/quiz/${created.id}`);
    renderQuiz();
    setStatus(`已生成 ${quiz.items.length} 道题`);
    loadMySets();
  } catch (error) {
    setStatus(error.message, true);
  } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------------ my sets

async function loadMySets() {
  const sets = await api("/api/quiz");
  $("my-sets-count").textContent = `（${sets.length}）`;
  $("my-sets").replaceChildren(...sets.map((set) => {
    const open = el("button", { type: "button", class: "link" }, set.title);
    open.addEventListener("click", async () => {
      try { quiz = await api(`/api/quiz/${set.id}`); renderQuiz(); setStatus(""); } catch (error) { setStatus(error.message, true); }
    });
    const when = new Date(set.created_at * 1000).toLocaleString("zh-CN");
    return el("li", {}, open, el("span", { class: "muted" }, ` ${set.item_count}题 · ${when}`));
  }));
}

// ------------------------------------------------------------------ preview

function notes(set) {
  const lines = (set.shortfall || []).map((entry) =>
    `${TYPE_LABELS[entry.type] || entry.type}：要求 ${entry.requested} 题，生成 ${entry.produced} 题。${entry.reason}`);
  const rejected = Object.entries(set.rejected || {}).filter(([, n]) => n > 0);
  if (rejected.length) {
    lines.push(`质量检查淘汰的候选题：${rejected.map(([gate, n]) => `${GATE_LABELS[gate] || gate} ${n}`).join("，")}`);
  }
  return lines;
}

function exportLinks(set) {
  return EXPORTS.map(([format, answers, label]) => el("a", {
    class: "button export", download: "", "data-format": format, "data-answers": answers,
    href: `/api/quiz/${set.id}/export?format=${format}&answers=${answers}`,
  }, label));
}

function itemCard(item, number) {
  const head = el("div", { class: "item-head" },
    el("span", { class: "item-num" }, `${number}.`),
    el("span", { class: `badge type-${item.type}` }, TYPE_LABELS[item.type] || item.type));
  if (item.difficulty) head.append(el("span", { class: "muted" }, DIFFICULTY_LABELS[item.difficulty] || item.difficulty));
  if (item.knowledge_point) head.append(el("span", { class: "muted" }, `知识点：${item.knowledge_point}`));
  if (item.edited) head.append(el("span", { class: "badge edited" }, "已修改"));
  const card = el("li", { class: "quiz-item", "data-id": item.id }, head, el("p", { class: "stem" }, shownStem(item)));
  if (item.type === "single" || item.type === "multi") {
    const keys = new Set(item.answer.keys);
    card.append(el("ul", { class: "options" }, ...item.options.map((option) =>
      el("li", { class: keys.has(option.key) ? "correct" : "" }, `${option.key}. `, option.text, keys.has(option.key) ? " ✓" : ""))));
  }
  card.append(el("p", { class: "answer-line" }, el("strong", {}, "答案："), answerLabel(item)));
  card.append(sourceBox(item));
  const replace = el("button", { type: "button", class: "replace-item" }, "换一题");
  const remove = el("button", { type: "button", class: "delete-item" }, "删除");
  const edit = el("button", { type: "button", class: "edit-item" }, "修改");
  replace.addEventListener("click", () => editItem(item.id, "replace", replace));
  remove.addEventListener("click", () => editItem(item.id, "delete", remove));
  edit.addEventListener("click", () => { edit.disabled = true; card.append(editForm(item)); });
  card.append(el("div", { class: "item-actions" }, edit, replace, remove));
  return card;
}

// An inline form to change the stem, options and key of one item; the server re-checks the edit.
function editForm(item) {
  const form = el("form", { class: "edit-form" });
  const stem = el("textarea", { class: "edit-stem", rows: 3, maxLength: 300 });
  stem.value = item.stem;
  form.append(el("label", {}, "题干", stem));
  const answer = item.answer || { keys: [], texts: [] };
  if (item.type === "single" || item.type === "multi") {
    const kind = item.type === "multi" ? "checkbox" : "radio";
    for (const key of ["A", "B", "C", "D", "E"]) {
      const option = item.options.find((o) => o.key === key);
      if (!option && key === "E" && item.options.length < 5 && item.type === "single") continue;
      const text = el("input", { type: "text", class: "edit-option", "data-key": key, maxLength: 60 });
      text.value = option ? option.text : "";
      const mark = el("input", { type: kind, name: `edit-key-${item.id}`, value: key, class: "edit-key" });
      mark.checked = answer.keys.includes(key);
      form.append(el("label", { class: "edit-option-row" }, mark, ` ${key}. `, text));
    }
  } else if (item.type === "judge") {
    for (const [key, label] of [["A", "正确"], ["B", "错误"]]) {
      const mark = el("input", { type: "radio", name: `edit-key-${item.id}`, value: key, class: "edit-key" });
      mark.checked = answer.keys.includes(key);
      form.append(el("label", { class: "edit-option-row" }, mark, ` ${label}`));
    }
  } else {
    const texts = el("input", { type: "text", class: "edit-texts", maxLength: 200 });
    texts.value = answer.texts.join("；");
    form.append(el("label", {}, "答案（多个空用“；”分隔，与题干中的空一一对应）", texts));
  }
  const save = el("button", { type: "submit", class: "primary save-edit" }, "保存修改");
  const cancel = el("button", { type: "button", class: "cancel-edit" }, "取消");
  cancel.addEventListener("click", () => renderQuiz());
  form.append(el("div", { class: "item-actions" }, save, cancel), el("p", { class: "status error edit-error" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { stem: stem.value.trim() };
    const rows = [...form.querySelectorAll(".edit-option")].filter((input) => input.value.trim());
    if (rows.length) body.options = rows.map((input) => input.value.trim());
    const letters = rows.map((input) => input.dataset.key);
    const chosen = [...form.querySelectorAll(".edit-key:checked")].map((input) => input.value);
    body.keys = item.type === "judge" ? chosen : chosen.filter((key) => letters.includes(key)).map((key) => "ABCDE"[letters.indexOf(key)]);
    const texts = form.querySelector(".edit-texts");
    if (texts) body.texts = texts.value.split(/[；;]/).map((t) => t.trim()).filter(Boolean);
    save.disabled = true;
    try {
      quiz = await api(`/api/quiz/${quiz.id}/items/${encodeURIComponent(item.id)}`, { method: "PUT", body: JSON.stringify(body) });
      renderQuiz();
      setStatus("已保存修改（已重新检查）");
    } catch (error) {
      save.disabled = false;
      form.querySelector(".edit-error").textContent = error.message;
    }
  });
  return form;
}

function renderQuiz() {
  $("preview").hidden = false;
  $("preview-title").textContent = quiz.title;
  const counts = TYPE_ORDER.map((type) => [type, quiz.items.filter((item) => item.type === type).length]).filter(([, n]) => n);
  $("preview-summary").textContent = `共 ${quiz.items.length} 题` + (counts.length ? `：${counts.map(([t, n]) => `${TYPE_LABELS[t]} ${n}`).join("，")}` : "");
  $("preview-notes").replaceChildren(...notes(quiz).map((line) => el("li", {}, line)));
  const stale = quiz.stale_documents || [];
  $("stale-notes").hidden = !stale.length;
  $("stale-notes").replaceChildren(...stale.map((entry) => el("li", {}, "⚠ ", entry.message)));
  $("exports").replaceChildren(...exportLinks(quiz));
  const link = `${location.origin}/quiz?practice=${quiz.id}`;
  $("practice-link").href = link;
  $("practice-link").textContent = link;
  $("items").replaceChildren(...paperOrder(quiz.items).map((item, index) => itemCard(item, index + 1)));
}

async function editItem(itemId, action, button) {
  button.disabled = true;
  setStatus(action === "replace" ? "正在换题…" : "正在删除…");
  const path = `/api/quiz/${quiz.id}/items/${encodeURIComponent(itemId)}`;
  try {
    const position = quiz.items.findIndex((item) => item.id === itemId);
    quiz = action === "replace"
      ? await api(`${path}/replace`, { method: "POST" })
      : await api(path, { method: "DELETE" });
    renderQuiz();
    if (action === "replace" && quiz.items[position]) {
      const card = document.querySelector(`.quiz-item[data-id="${CSS.escape(quiz.items[position].id)}"]`);
      if (card) { card.classList.add("flash"); card.scrollIntoView({ block: "nearest" }); }
    }
    setStatus(action === "replace" ? "已换成新题" : "已删除");
    loadMySets();
  } catch (error) {
    button.disabled = false;
    setStatus(error.message, true);
  }
}

// ------------------------------------------------------------------ practice (members)

async function openPractice(id) {
  $("workspace").hidden = true;
  $("practice").hidden = false;
  try {
    practiceSet = await api(`/api/quiz/${encodeURIComponent(id)}/practice`);
  } catch (error) {
    return setStatus(error.message, true);
  }
  $("practice-title").textContent = `学习练习：${practiceSet.title}`;
  renderPractice();
}

function practiceCard(item, number) {
  const card = el("li", { class: "quiz-item practice-item", "data-id": item.id },
    el("div", { class: "item-head" }, el("span", { class: "item-num" }, `${number}.`),
      el("span", { class: `badge type-${item.type}` }, TYPE_LABELS[item.type] || item.type)),
    el("p", { class: "stem" }, shownStem(item)));
  const name = `answer-${item.id}`;
  if (item.type === "blank") {
    const boxes = el("div", { class: "blanks" });
    for (let i = 0; i < Math.max(item.blanks, 1); i += 1) {
      boxes.append(el("input", { type: "text", class: "blank-input", name, maxLength: 40, "aria-label": `第${i + 1}空` }));
    }
    card.append(boxes);
  } else {
    const kind = item.type === "multi" ? "checkbox" : "radio";
    card.append(el("div", { class: "choices" }, ...item.options.map((option) =>
      el("label", {}, el("input", { type: kind, name, value: option.key }), ` ${option.key}. `, option.text))));
  }
  card.append(el("div", { class: "verdict", hidden: true }));
  return card;
}

function renderPractice() {
  $("practice-result").hidden = true;
  $("practice-submit").disabled = false;
  $("practice-items").replaceChildren(...paperOrder(practiceSet.items).map((item, index) => practiceCard(item, index + 1)));
  $("practice-progress").textContent = `共 ${practiceSet.items.length} 题`;
  window.scrollTo({ top: 0 });
}

function answered(item) {
  const inputs = [...document.getElementsByName(`answer-${item.id}`)];
  return item.type === "blank" ? inputs.some((input) => input.value.trim()) : inputs.some((input) => input.checked);
}

// Numbers (as shown on the paper) of the items not answered yet.
function unansweredNumbers() {
  return paperOrder(practiceSet.items).map((item, index) => [item, index + 1]).filter(([item]) => !answered(item)).map(([, n]) => n);
}

async function submitPractice(event) {
  event.preventDefault();
  const missing = unansweredNumbers();
  if (missing.length && !window.confirm(`还有 ${missing.length} 道题没有作答（第 ${missing.join("、")} 题），未答的题按答错计。确定交卷吗？`)) {
    const first = document.querySelectorAll(".practice-item")[missing[0] - 1];
    if (first) first.scrollIntoView({ block: "center" });
    return;
  }
  const answers = practiceSet.items.map((item) => {
    const inputs = [...document.getElementsByName(`answer-${item.id}`)];
    return item.type === "blank"
      ? { item_id: item.id, texts: inputs.map((input) => input.value) }
      : { item_id: item.id, keys: inputs.filter((input) => input.checked).map((input) => input.value) };
  });
  $("practice-submit").disabled = true;
  try {
    const result = await api(`/api/quiz/${practiceSet.id}/practice`, { method: "POST", body: JSON.stringify({ answers }) });
    for (const entry of result.results) {
      const card = document.querySelector(`.practice-item[data-id="${CSS.escape(entry.item_id)}"]`);
      if (!card) continue;
      card.classList.add(entry.correct ? "right" : "wrong");
      for (const input of card.querySelectorAll("input")) input.disabled = true;
      const verdict = card.querySelector(".verdict");
      verdict.hidden = false;
      verdict.replaceChildren(el("p", { class: "verdict-line" }, entry.correct ? "✓ 回答正确" : "✗ 回答错误", "　正确答案：", answerLabel(entry.item)),
        sourceBox(entry.item));
    }
    const percent = result.total ? Math.round((100 * result.score) / result.total) : 0;
    $("practice-score").textContent = `本次练习得分：答对 ${result.score} 题，共 ${result.total} 题（${percent} 分）。每题下方有正确答案和原文出处。`;
    $("practice-result").hidden = false;
    $("practice").scrollIntoView({ block: "start" });
  } catch (error) {
    $("practice-submit").disabled = false;
    setStatus(error.message, true);
  }
}

// ------------------------------------------------------------------ wiring

document.addEventListener("DOMContentLoaded", () => {
  bindLoginForm($("login-form"), () => { $("login-error").textContent = ""; start(); }, (message) => { $("login-error").textContent = message; });
  $("logout").addEventListener("click", async () => { await logout(); user = null; quiz = null; $("preview").hidden = true; start(); });
  $("quiz-form").addEventListener("submit", generate);
  $("new-seed").addEventListener("click", () => { $("seed").value = String(Math.floor(Math.random() * 1000000)); });
  $("practice-form").addEventListener("submit", submitPractice);
  $("practice-again").addEventListener("click", renderPractice);
  start().catch((error) => setStatus(error.message, true));
});
