// code_review: verdict, inline comments (category, file, line, text) and per-file ratings,
// written as Potato's record {verdict, comments, file_ratings} into the hidden input.
import { loadStylesheet, readRecord } from "./text-select.js";

loadStylesheet();

for (const box of document.querySelectorAll("fieldset[data-type='code_review']")) {
  const input = box.querySelector("input[type='hidden'][data-label]");
  const config = JSON.parse(box.querySelector("[data-role='config']").textContent);
  const list = box.querySelector("[data-role='comments']");
  const state = readRecord(input) || { verdict: "", comments: [], file_ratings: {} };
  const listId = `${box.dataset.scheme}-files`;
  const files = document.createElement("datalist");
  files.id = listId;
  for (const f of config.files) files.appendChild(new Option(f));
  box.appendChild(files);

  function write() {
    const verdict = box.querySelector("input[data-role='verdict']:checked");
    state.verdict = verdict ? verdict.value : "";
    state.file_ratings = {};
    for (const select of box.querySelectorAll("select[data-role='rating']")) {
      if (!select.value) continue;
      const file = select.closest("tr").dataset.file;
      (state.file_ratings[file] = state.file_ratings[file] || {})[select.dataset.dim] = Number(select.value);
    }
    const empty = !state.verdict && !state.comments.length && !Object.keys(state.file_ratings).length;
    input.value = empty ? "" : JSON.stringify(state);
  }

  function field(tag, attrs, onInput) {
    const node = document.createElement(tag);
    Object.assign(node, attrs);
    node.addEventListener("input", () => { onInput(node); write(); });
    return node;
  }

  function render() {
    list.textContent = "";
    state.comments.forEach((comment, i) => {
      const li = document.createElement("li");
      const category = field("select", { "ariaLabel": "Category" }, (n) => { comment.category = n.value; });
      for (const c of config.categories) category.appendChild(new Option(c, c, false, c === comment.category));
      const file = field("input", { type: "text", value: comment.file || "", placeholder: "file", ariaLabel: "File" }, (n) => { comment.file = n.value; });
      file.setAttribute("list", listId);
      const line = field("input", { type: "number", min: 1, value: comment.line || "", placeholder: "line", ariaLabel: "Line" }, (n) => { comment.line = n.value ? Number(n.value) : null; });
      const text = field("textarea", { rows: 2, value: comment.text || "", ariaLabel: "Comment" }, (n) => { comment.text = n.value; });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      remove.addEventListener("click", () => {
        state.comments.splice(i, 1);
        render();
        write();
        input.form.dispatchEvent(new Event("potato:changed"));
      });
      li.append(category, " ", file, " ", line, " ", text, " ", remove);
      list.appendChild(li);
    });
  }

  box.querySelector("[data-role='add-comment']").addEventListener("click", () => {
    state.comments.push({ category: config.categories[0], file: config.files[0] || "", line: null, text: "" });
    render();
    list.lastElementChild.querySelector("textarea").focus();
  });
  // before annotate.js's form listeners: the save they schedule sends the new record
  box.addEventListener("change", write);
  render();
}
