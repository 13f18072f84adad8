// chat_support: talk with an LLM about this item. History is kept per annotator and item on
// the server (GET /api/chat/history); Enter in the box sends (Shift+Enter: a new line).
import { appUrl } from "./app-url.js";

const box = document.getElementById("ai-chat");
const list = box?.querySelector(".ai-chat-messages");
const input = box?.querySelector("textarea");
const error = box?.querySelector(".ai-chat-error");
const instanceId = box?.dataset.instanceId;
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

function add(role, content) {
  const li = document.createElement("li");
  li.className = `ai-chat-${role === "user" ? "user" : "assistant"}`;
  li.textContent = content;
  list.append(li);
  li.scrollIntoView({ block: "nearest" });
}

async function loadHistory() {
  const res = await fetch(appUrl(`/api/chat/history?instance_id=${encodeURIComponent(instanceId)}`),
    { credentials: "same-origin" });
  if (!res.ok) return;
  for (const m of (await res.json()).messages || []) add(m.role, m.content);
}

async function send() {
  const message = input.value.trim();
  if (!message) return;
  error.hidden = true;
  add("user", message);
  input.value = "";
  const res = await fetch(appUrl("/api/chat/send"), {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify({ instance_id: instanceId, message }),
  });
  let data = {};
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (!res.ok) {
    list.lastElementChild?.remove();
    input.value = message;
    error.textContent = data.error || `The server answered ${res.status}.`;
    error.hidden = false;
    return;
  }
  add("assistant", data.response);
}

if (box) {
  box.querySelector(".ai-chat-form").addEventListener("submit", (e) => {
    e.preventDefault();
    send();
  });
  // Keys typed here are the chat's, not the page's label shortcuts (annotate.js skips
  // textareas) — Enter sends instead of submitting the annotation.
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      e.stopPropagation();
      send();
    }
  });
  loadHistory();
}
