// coreference: chains of mentions (spans of the scheme's span_schema). Select a span (click
// its tag, or label a new one: it is then selected), then "New chain" or "Add to chain" of
// the chosen chain. spans.js keeps the entries and saves them with the spans.
const api = window.potatoSpans;

for (const box of document.querySelectorAll("fieldset[data-type='coreference']")) {
  const schema = box.dataset.scheme;
  const info = api.schemes[schema];
  const list = box.querySelector("[data-role='chains']");
  const typeSelect = box.querySelector("[data-role='entity-type']");
  const status = box.querySelector("[data-role='status']");
  let active = null; // id of the chosen chain

  const chains = () => api.state[schema];
  const selectedMention = () => {
    const sel = api.selected();
    return sel && sel.schema === info.span_schema ? sel.id : null;
  };
  const owner = (spanId) => chains().find((c) => c.span_ids.includes(spanId));

  function render() {
    list.textContent = "";
    chains().forEach((chain, i) => {
      const li = document.createElement("li");
      const pick = document.createElement("button");
      pick.type = "button";
      pick.className = chain.id === active ? "primary" : "";
      pick.setAttribute("aria-pressed", String(chain.id === active));
      pick.textContent = `${chain.link_type !== "coreference" && chain.link_type || "Chain " + (i + 1)}: ${chain.span_ids.map((id) => api.describeSpan(info.span_schema, id)).join(" = ")}`;
      pick.addEventListener("click", () => { active = chain.id === active ? null : chain.id; render(); });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", `Remove chain ${i + 1}`);
      remove.addEventListener("click", () => {
        api.state[schema] = chains().filter((c) => c !== chain);
        if (active === chain.id) active = null;
        api.changed();
      });
      li.append(pick, " ", remove);
      list.appendChild(li);
    });
  }

  function take(spanId) {
    const old = owner(spanId);
    if (old) { // a mention belongs to one chain: move it
      old.span_ids = old.span_ids.filter((id) => id !== spanId);
      if (!old.span_ids.length) api.state[schema] = chains().filter((c) => c !== old);
    }
  }

  box.querySelector("[data-role='new']").addEventListener("click", () => {
    const spanId = selectedMention();
    if (!spanId) { status.textContent = "Select a mention first (label a passage or click a span's tag)."; return; }
    take(spanId);
    const id = `chain_${Date.now().toString(36)}_${chains().length}`;
    chains().push({ id, link_type: typeSelect ? typeSelect.value : "coreference", span_ids: [spanId] });
    active = id;
    status.textContent = "New chain started.";
    api.changed();
  });
  box.querySelector("[data-role='add']").addEventListener("click", () => {
    const spanId = selectedMention();
    const chain = chains().find((c) => c.id === active) || chains()[chains().length - 1];
    if (!spanId || !chain) { status.textContent = "Select a mention and a chain first."; return; }
    if (chain.span_ids.includes(spanId)) return;
    take(spanId);
    chain.span_ids.push(spanId);
    active = chain.id;
    status.textContent = `Added to ${chain.link_type !== "coreference" && chain.link_type || "the chain"}.`;
    api.changed();
  });
  api.onRender(render);
}
