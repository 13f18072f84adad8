// text_edit: the annotator edits the text in the box; the hidden input (saved by
// annotate.js) holds Potato's record {edited_text, original_text, edit_distance_chars,
// edit_distance_words}. The server recomputes the distances and the diff it stores.
import { loadStylesheet, readRecord } from "./text-select.js";

loadStylesheet();

function levenshtein(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = a[i - 1] === b[j - 1] ? row[j - 1] : 1 + Math.min(row[j], next[j - 1], row[j - 1]);
    }
    row = next;
  }
  return row[b.length];
}

const words = (s) => s.split(/\s+/).filter(Boolean);

// Word diff for display: longest common subsequence of words.
function showDiff(el, before, after) {
  const a = words(before);
  const b = words(after);
  if (a.length * b.length > 250000) { el.textContent = ""; return; }
  const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  el.textContent = "";
  const add = (tag, word) => {
    const node = tag ? document.createElement(tag) : document.createTextNode(word);
    if (tag) node.textContent = word;
    el.append(node, " ");
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) { add(null, a[i]); i++; j++; }
    else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) { add("ins", b[j]); j++; }
    else { add("del", a[i]); i++; }
  }
}

for (const box of document.querySelectorAll("fieldset[data-type='text_edit']")) {
  const editor = box.querySelector(".text-edit-editor");
  const input = box.querySelector("input[type='hidden'][data-label]");
  const original = box.querySelector("[data-role='source']").textContent;
  const chars = box.querySelector("[data-role='chars']");
  const wordCount = box.querySelector("[data-role='words']");
  const diff = box.querySelector("[data-role='diff']");

  function update() {
    const edited = editor.value;
    const record = {
      edited_text: edited,
      original_text: original,
      edit_distance_chars: edited.length + original.length > 20000 ? null : levenshtein(original, edited),
      edit_distance_words: levenshtein(words(original), words(edited)),
    };
    if (chars) chars.textContent = record.edit_distance_chars ?? "…";
    if (wordCount) wordCount.textContent = record.edit_distance_words;
    if (diff) showDiff(diff, original, edited);
    input.value = JSON.stringify(record);
  }

  editor.addEventListener("input", update);
  const reset = box.querySelector("[data-role='reset']");
  if (reset) {
    reset.addEventListener("click", () => {
      editor.value = original;
      update();
      input.form.dispatchEvent(new Event("potato:changed"));
      editor.focus();
    });
  }
  const stored = readRecord(input);
  if (stored && typeof stored.edited_text === "string") editor.value = stored.edited_text;
  update(); // the unedited text is an answer too (nothing to fix)
}
