// 回答反馈：“有帮助 / 没帮助”是一个可以更改的选择，没帮助时可选原因。图标是内嵌 SVG（离线桌面常无 emoji 字体）。
"use strict";

const FEEDBACK_REASONS = ["答非所问", "不完整", "出处不对", "其他"];
const SVG_NS = "http://www.w3.org/2000/svg";
// Material Design "thumb up" (Apache License 2.0); turned upside down for 没帮助.
const THUMB_PATH = "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z";
const feedbackState = { queryId: null, helpful: null, reason: "" };

function thumbIcon(down) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "thumb");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", THUMB_PATH);
  path.setAttribute("fill", "currentColor");
  if (down) path.setAttribute("transform", "rotate(180 12 12)");
  svg.append(path);
  return svg;
}

function feedbackButton(id, down, label) {
  const button = el("button", { type: "button", id, class: "vote", "aria-pressed": "false" }, thumbIcon(down), ` ${label}`);
  button.addEventListener("click", () => sendFeedback(!down, down ? feedbackState.reason : ""));
  return button;
}

function showFeedback(queryId) {
  Object.assign(feedbackState, { queryId, helpful: null, reason: "" });
  const reasons = el("span", { id: "feedback-reasons", class: "reasons", role: "group", "aria-label": "没帮助的原因（可选）" },
    el("span", { class: "muted" }, "原因（可选）："),
    ...FEEDBACK_REASONS.map((reason) => {
      const button = el("button", { type: "button", class: "reason", "aria-pressed": "false", "data-reason": reason }, reason);
      button.addEventListener("click", () => sendFeedback(false, feedbackState.reason === reason ? "" : reason));
      return button;
    }));
  reasons.hidden = true;
  $("feedback").replaceChildren(feedbackButton("thumb-up", false, "有帮助"), feedbackButton("thumb-down", true, "没帮助"), reasons);
  $("feedback-status").textContent = "";
}

function paintFeedback() {
  const { helpful, reason } = feedbackState;
  $("thumb-up").setAttribute("aria-pressed", String(helpful === true));
  $("thumb-down").setAttribute("aria-pressed", String(helpful === false));
  $("feedback-reasons").hidden = helpful !== false;
  for (const button of document.querySelectorAll("#feedback-reasons .reason")) {
    button.setAttribute("aria-pressed", String(button.dataset.reason === reason));
  }
}

async function sendFeedback(helpful, reason = "") {
  if (!feedbackState.queryId) return;
  try {
    await api("/api/feedback", { method: "POST", body: JSON.stringify({ query_id: feedbackState.queryId, helpful, reason }) });
    Object.assign(feedbackState, { helpful, reason: helpful ? "" : reason });
    paintFeedback();
    $("feedback-status").textContent = "谢谢反馈";
  } catch (error) {
    $("feedback-status").textContent = `反馈失败：${error.message}`;
  }
}
