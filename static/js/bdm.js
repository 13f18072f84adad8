// bdm: a bid is placed with the button (or Enter in the bid field): it goes into the
// scheme's hidden JSON input and is saved; the server draws the price then, and this
// script shows the stored outcome once the save is acknowledged ("potato:saved"). On a
// phase page (a survey before or after the study) the bid goes with the page's form and the
// price is drawn when the page is submitted.
const form = document.getElementById("annotation-form") || document.getElementById("phase-form");
const onPhasePage = form && form.id === "phase-form";
const money = (box, x) => `${box.dataset.currency}${Number(x).toFixed(2)}`;

async function showOutcome(box) {
  const url = new URL(box.dataset.annotationsUrl, window.location.href);
  url.searchParams.set("instance_id", form.dataset.instanceId);
  const res = await fetch(url, { credentials: "same-origin" });
  if (!res.ok) return;
  const data = await res.json();
  const raw = ((data.label_annotations || {})[box.dataset.scheme] || {})[box.dataset.scheme];
  if (!raw) return;
  const rec = JSON.parse(raw);
  if (rec.price === undefined) return;
  box.querySelector("input.bdm-value").value = raw;
  box.querySelector(".bdm-bid").disabled = true;
  box.querySelector(".bdm-place").disabled = true;
  box.querySelector(".bdm-result").textContent = rec.buys
    ? `Price drawn: ${money(box, rec.price)}. Your bid ${money(box, rec.bid)} is at or above it: you buy at ${money(box, rec.price)}.`
    : `Price drawn: ${money(box, rec.price)}. Your bid ${money(box, rec.bid)} is below it: you do not buy.`;
}

for (const box of form ? document.querySelectorAll("fieldset.bdm") : []) {
  const bid = box.querySelector(".bdm-bid");
  const hidden = box.querySelector("input.bdm-value");
  const shown = box.querySelector(".bdm-shown");
  let placed = false;
  const place = () => {
    if (bid.disabled || bid.value === "" || !bid.checkValidity()) {
      box.querySelector(".bdm-result").textContent = `Enter a bid from ${money(box, bid.min)} to ${money(box, bid.max)}.`;
      return;
    }
    hidden.value = JSON.stringify({ bid: Number(bid.value) });
    placed = true;
    if (onPhasePage) {
      box.querySelector(".bdm-result").textContent =
        `Bid placed: ${money(box, bid.value)}. The price is drawn when you continue.`;
    }
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  };
  box.querySelector(".bdm-place").addEventListener("click", place);
  bid.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      e.stopPropagation();
      place();
    }
  });
  if (shown) bid.addEventListener("input", () => { shown.textContent = bid.value; });
  form.addEventListener("potato:saved", () => { if (placed) showOutcome(box); });
}
