// The page's language (ui_language): the strings the server put in #ui-strings (its js_*
// keys without the prefix), looked up by key with {name} placeholders filled from vars.
const strings = JSON.parse(document.getElementById("ui-strings")?.textContent || "{}");

export function t(key, vars = {}, fallback = key) {
  const text = strings[key] ?? fallback;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}
