// triad_test: the checked radio of each triad becomes its odd one in Potato's JSON answer
// {"design", "triads": [[a, b, c, odd or null], ...]} in the hidden input. The radios carry
// no data-scheme, so only the hidden input is sent. Tab moves between triads; arrow keys or
// 1, 2, 3 pick within one. Loaded only by pages that show a triad test.
const form = document.getElementById("annotation-form");

for (const box of form.querySelectorAll("fieldset.triad-test")) {
  const hidden = box.querySelector("input.triad-test-value");
  const progress = box.querySelector(".triad-progress");
  const triads = [...box.querySelectorAll("fieldset.triad")];
  const sync = () => {
    const rows = triads.map((t) => {
      const picked = t.querySelector("input[type=radio]:checked");
      return [...JSON.parse(t.dataset.items), picked ? picked.value : null];
    });
    const done = rows.filter((r) => r[3] !== null).length;
    progress.textContent = `${done} of ${rows.length} triads answered`;
    hidden.value = done ? JSON.stringify({ design: box.dataset.design, triads: rows }) : "";
  };
  // capture: the hidden value is current before annotate.js schedules the save
  box.addEventListener("change", sync, { capture: true });
  // Keys 1, 2, 3 pick a position in the triad that has the focus (as Potato's page).
  box.addEventListener("keydown", (e) => {
    const triad = e.target.closest && e.target.closest("fieldset.triad");
    if (!triad || !["1", "2", "3"].includes(e.key) || e.ctrlKey || e.altKey || e.metaKey) return;
    const radio = triad.querySelectorAll("input[type=radio]")[Number(e.key) - 1];
    e.preventDefault();
    radio.checked = true;
    radio.focus();
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  });
}
