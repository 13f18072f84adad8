// Phase pages (consent, surveys, training): the same keys as the annotation page.
// A label's hotkey picks it; Enter submits (Ctrl+Enter inside a text box). Plain forms
// without this script still work.

const form = document.getElementById("phase-form");

function typing(el) {
  return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
    (el.tagName === "INPUT" && !["radio", "checkbox", "range", "button", "submit"].includes(el.type)));
}

if (form) {
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.metaKey) return;
    if (event.key === "Enter") {
      if (typing(event.target) && event.target.tagName === "TEXTAREA" && !event.ctrlKey) return;
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.ctrlKey || typing(event.target)) return;
    const key = event.key.toLowerCase();
    // a question hidden by display_logic takes no keys
    const input = [...form.querySelectorAll(`input[data-key="${CSS.escape(key)}"]`)]
      .find((i) => !i.closest("[hidden]"));
    if (!input) return;
    event.preventDefault();
    input.checked = input.type === "checkbox" ? !input.checked : true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  const first = form.querySelector("input, select, textarea");
  if (first && !document.activeElement?.closest?.("form")) first.focus({ preventScroll: true });
}
