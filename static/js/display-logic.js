// display_logic: show a scheme while other schemes' answers match its rule.
// The rule comes from the slot's data-display-logic attribute (JSON); the server applies
// the same comparisons (potato_like/schemes/display_logic.py) to decide whether a hidden
// scheme's label_requirement applies. Answers in a hidden scheme are kept, not cleared.

// The annotation form, or a phase page's survey form.
const form = document.querySelector("[data-scheme-slot]")?.closest("form");
const slots = form ? [...form.querySelectorAll("[data-scheme-slot]")] : [];
const rules = new Map();
for (const slot of slots) {
  if (slot.dataset.displayLogic) rules.set(slot.dataset.schemeSlot, JSON.parse(slot.dataset.displayLogic));
}

// The answer a condition compares with (null when unanswered), as Scheme.comparable does.
function answerOf(slot) {
  const inputs = [...slot.querySelectorAll("[data-scheme][data-label]")];
  const choices = inputs.filter((i) => i.type === "radio" || i.type === "checkbox");
  if (choices.length) {
    const chosen = choices.filter((i) => i.checked && i.dataset.label !== "free_response")
      .map((i) => i.dataset.label);
    if (chosen.length) return chosen.length === 1 ? chosen[0] : chosen;
    const free = inputs.find((i) => i.dataset.label === "free_response");
    return free && free.value.trim() ? free.value : null;
  }
  const values = {};
  for (const input of inputs) {
    if (input.type === "range" && !input.dataset.touched) continue;
    if (input.value.trim() === "") continue;
    values[input.dataset.label] = input.type === "range" || input.type === "number"
      ? Number(input.value) : input.value;
  }
  const keys = Object.keys(values);
  if (!keys.length) return null;
  if (inputs.length === 1) return values[keys[0]];
  return values;
}

function isEmpty(v) {
  if (v === null || v === undefined) return true;
  if (typeof v === "string") return v.trim() === "";
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v).length === 0;
  return false;
}

function asNumber(v) {
  if (v === null || v === undefined || typeof v === "boolean") return null;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v !== "string" || v.trim() === "") return null;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : null;
}

const text = (v) => String(v);

function equal(actual, expected, cs) {
  if (actual === null || expected === null || expected === undefined) {
    return actual === null && (expected === null || expected === undefined);
  }
  if (Array.isArray(actual)) return false;
  const a = asNumber(actual);
  const e = asNumber(expected);
  if (a !== null && e !== null && typeof expected !== "string") return a === e;
  return cs ? text(actual) === text(expected) : text(actual).toLowerCase() === text(expected).toLowerCase();
}

function contains(actual, expected, cs) {
  if (Array.isArray(actual)) return actual.some((a) => equal(a, expected, cs));
  if (typeof actual === "string") {
    return cs ? actual.includes(text(expected)) : actual.toLowerCase().includes(text(expected).toLowerCase());
  }
  return equal(actual, expected, cs);
}

function matches(cond, actual) {
  const op = cond.operator;
  const expected = cond.value;
  const cs = Boolean(cond.case_sensitive);
  const list = Array.isArray(expected) ? expected : [expected];
  switch (op) {
    case "empty": return isEmpty(actual);
    case "not_empty": return !isEmpty(actual);
    case "equals": return list.some((e) => equal(actual, e, cs));
    case "not_equals": return !list.some((e) => equal(actual, e, cs));
    case "contains": return list.some((e) => contains(actual, e, cs));
    case "not_contains": return !list.some((e) => contains(actual, e, cs));
    case "matches":
      try { return new RegExp(expected, cs ? "" : "i").test(actual === null ? "" : text(actual)); } catch { return false; }
    case "length_gt": return (actual === null ? 0 : text(actual).length) > expected;
    case "length_lt": return (actual === null ? 0 : text(actual).length) < expected;
    case "length_in_range": {
      const n = actual === null ? 0 : text(actual).length;
      return expected[0] <= n && n <= expected[1];
    }
    default: break;
  }
  const n = asNumber(actual);
  if (n === null) return false;
  switch (op) {
    case "gt": return n > expected;
    case "gte": return n >= expected;
    case "lt": return n < expected;
    case "lte": return n <= expected;
    case "in_range": return expected[0] <= n && n <= expected[1];
    case "not_in_range": return !(expected[0] <= n && n <= expected[1]);
    default: return false;
  }
}

// Answers given on earlier phases that rules on this page watch (phase pages only).
const known = form && form.dataset.knownAnswers ? JSON.parse(form.dataset.knownAnswers) : {};

function evaluate() {
  const answers = { ...known };
  for (const slot of slots) answers[slot.dataset.schemeSlot] = answerOf(slot);
  for (const slot of slots) {
    const rule = rules.get(slot.dataset.schemeSlot);
    if (!rule) continue;
    const results = rule.show_when.map((c) => matches(c, answers[c.schema] ?? null));
    const show = rule.logic === "any" ? results.some(Boolean) : results.every(Boolean);
    if (slot.hidden === !show) continue;
    slot.hidden = !show;
    // a hidden question is not required: drop a "please answer" mark it may carry
    if (!show) for (const f of slot.querySelectorAll("fieldset.missing")) f.classList.remove("missing");
  }
}

if (form) {
  for (const type of ["change", "input", "potato:picked"]) form.addEventListener(type, evaluate);
  evaluate();
}
