// triad_test: the checked radio of each triad becomes its odd one in Potato's JSON answer
// {"design", "triads": [[a, b, c, odd or null], ...]} in the hidden input. The radios carry
// no data-scheme, so only the hidden input is sent. Loaded only by pages that show a triad test.
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
}
