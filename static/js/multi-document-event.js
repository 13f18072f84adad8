// multi_document_event: which events this document belongs to, their slots filled from it
// and evidence spans cited from its text, as a record {events: [...]} in the hidden input.
// The same event id on other documents is the same event (new events get an id from their
// title, so the same title joins them).
import { loadStylesheet, pageText, readRecord, selectableText, storeRecord } from "./text-select.js";

loadStylesheet();

const slug = (s) => s.toLowerCase().normalize("NFKD").replace(/[^\w]+/g, "_").replace(/^_|_$/g, "").slice(0, 100);

for (const box of document.querySelectorAll("fieldset[data-type='multi_document_event']")) {
  const input = box.querySelector("input[type='hidden'][data-label]");
  const config = JSON.parse(box.querySelector("[data-role='config']").textContent);
  const holder = box.querySelector("[data-role='events']");
  const chooser = selectableText(box.querySelector("[data-role='text']"), pageText(), null);
  const stored = (readRecord(input) || { events: [] }).events;
  const events = [];
  for (const seed of config.seeds) {
    const mine = stored.find((e) => e.id === seed.id);
    events.push({ id: seed.id, title: seed.title, seed: true, member: !!mine,
      slot_values: mine ? mine.slot_values : {}, evidence: mine ? mine.evidence : {} });
  }
  for (const e of stored) if (!events.some((x) => x.id === e.id)) events.push({ ...e, member: true });

  function save() {
    const chosen = events.filter((e) => e.member && e.id).map((e) => ({
      id: e.id, title: e.title, slot_values: e.slot_values, evidence: e.evidence,
    }));
    storeRecord(input, chosen.length ? { events: chosen } : null);
  }

  function render() {
    holder.textContent = "";
    events.forEach((event) => {
      const part = document.createElement("section");
      part.className = "mde-event";
      const head = document.createElement("p");
      const member = document.createElement("input");
      member.type = "checkbox";
      member.checked = event.member;
      member.setAttribute("aria-label", `This document belongs to ${event.title || "the new event"}`);
      member.addEventListener("change", () => { event.member = member.checked; save(); });
      head.append(member, " ");
      if (event.seed) {
        head.append(document.createTextNode(event.title));
      } else {
        const title = document.createElement("input");
        title.type = "text";
        title.value = event.title || "";
        title.placeholder = "Event name";
        title.setAttribute("aria-label", "Event name");
        title.addEventListener("input", () => {
          event.title = title.value;
          if (!event.fixedId) event.id = title.value.trim() ? `evt_${slug(title.value)}` : "";
          save();
        });
        head.append(title);
      }
      part.appendChild(head);
      for (const slot of Object.keys(config.slots)) {
        const row = document.createElement("p");
        const label = document.createElement("label");
        label.textContent = `${config.slots[slot]} `;
        const value = document.createElement("input");
        value.type = "text";
        value.value = event.slot_values[slot] || "";
        value.addEventListener("input", () => { event.slot_values[slot] = value.value; event.member = true; member.checked = true; save(); });
        label.appendChild(value);
        const cite = document.createElement("button");
        cite.type = "button";
        cite.textContent = "Cite";
        cite.setAttribute("aria-label", `Cite the chosen words as evidence for ${slot}`);
        const cited = document.createElement("span");
        cited.className = "hint";
        const show = () => { cited.textContent = (event.evidence[slot] || []).map((s) => ` “${s.text}”`).join(""); };
        cite.addEventListener("click", () => {
          const sel = chooser.selection();
          if (!sel) return;
          (event.evidence[slot] = event.evidence[slot] || []).push(sel);
          if (!value.value) { value.value = sel.text; event.slot_values[slot] = sel.text; }
          event.member = true;
          member.checked = true;
          chooser.clear();
          show();
          save();
        });
        show();
        row.append(label, " ", cite, cited);
        part.appendChild(row);
      }
      holder.appendChild(part);
    });
  }

  const create = box.querySelector("[data-role='new-event']");
  if (create) {
    create.addEventListener("click", () => {
      events.push({ id: "", title: "", member: true, slot_values: {}, evidence: {} });
      render();
      holder.lastElementChild.querySelector("input[type='text']").focus();
    });
  }
  for (const e of events) if (e.id && !e.seed) e.fixedId = true;
  render();
}
