// live_agent / live_coding_agent displays: start an agent run on this item, poll its state
// (steps arrive as the background run records them), pause, resume, stop, instruct. URLs come
// from the template's data-* attributes (RUN_ID and the control's name are filled in here).

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
const POLL_MS = 1000;
const ACTIVE = ["running", "paused"];

function instanceId(box) {
  return box.closest("form[data-instance-id]")?.dataset.instanceId
    || document.querySelector("[data-instance-id]")?.dataset.instanceId || "";
}

async function call(url, method = "GET", body = undefined) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json", "X-CSRFToken": csrf() };
    init.body = JSON.stringify(body);
  } else if (method !== "GET") {
    init.headers = { "X-CSRFToken": csrf() };
  }
  const res = await fetch(url, init);
  let data = {};
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (!res.ok) throw new Error(data.error || data.message || `HTTP ${res.status}`);
  return data;
}

function stepItem(step, showThought) {
  const li = document.createElement("li");
  li.className = `trace-step live-step step-${step.step_type || "action"}`;
  li.dataset.stepId = `s${step.step}`;
  li.dataset.testid = "live-step";
  const head = document.createElement("strong");
  head.textContent = `#${step.step + 1} ${step.speaker}`;
  li.append(head);
  if (step.step_type === "instruction") {
    const p = document.createElement("div");
    p.className = "turn-text";
    p.textContent = step.text;
    li.append(p);
    return li;
  }
  if (showThought && step.thought) {
    const p = document.createElement("div");
    p.className = "turn-text live-thought";
    p.textContent = step.thought;
    li.append(p);
  }
  if (step.action) {
    const code = document.createElement("code");
    code.className = "live-action";
    code.textContent = `${step.action.tool}(${JSON.stringify(step.action.args)})`;
    li.append(code);
  }
  if (step.observation) {
    const pre = document.createElement("pre");
    pre.className = "live-observation";
    pre.textContent = step.observation;
    li.append(pre);
  }
  return li;
}

function setup(box) {
  const steps = box.querySelector("[data-live-steps]");
  const stateEl = box.querySelector("[data-live-state]");
  const errorEl = box.querySelector("[data-live-error]");
  const instruct = box.querySelector("[data-live-instruct]");
  const filesBox = box.querySelector("[data-live-files]");
  const showThought = box.dataset.showThought === "1";
  const button = (name) => box.querySelector(`[data-live-action="${name}"]`);
  let runId = null;
  let seen = 0;
  let timer = null;

  const runUrl = (template) => template.replace("RUN_ID", encodeURIComponent(runId));
  const controlUrls = JSON.parse(box.dataset.controlUrls); // action -> URL (url_for)
  const controlUrl = (action) => runUrl(controlUrls[action]);
  const showError = (message) => {
    errorEl.textContent = message || "";
    errorEl.hidden = !message;
  };

  function render(state) {
    if (stateEl) stateEl.textContent = state;
    const active = ACTIVE.includes(state);
    if (button("start")) button("start").disabled = active;
    if (button("pause")) button("pause").disabled = state !== "running";
    if (button("resume")) button("resume").disabled = state !== "paused";
    if (button("stop")) button("stop").disabled = !active;
    if (instruct) instruct.hidden = !active;
  }

  // Polls run one at a time (a control asks for one at once), so no step is shown twice.
  let queue = Promise.resolve();
  const pollNow = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    queue = queue.then(poll, poll);
    return queue;
  };

  async function poll() {
    timer = null;
    if (!runId) return;
    let data;
    try {
      data = await call(`${runUrl(box.dataset.runUrl)}?since=${seen}`);
    } catch (err) {
      showError(err.message);
      timer = setTimeout(pollNow, POLL_MS * 3);
      return;
    }
    for (const step of data.steps) {
      if (step.step >= seen) steps.append(stepItem(step, showThought));
    }
    seen = Math.max(seen, data.step_count);
    render(data.state);
    showError(data.error);
    if (filesBox && box.dataset.filesUrl) {
      try {
        const listing = await call(runUrl(box.dataset.filesUrl));
        const list = filesBox.querySelector("[data-live-file-list]");
        list.replaceChildren(...listing.files.map((name) => {
          const li = document.createElement("li");
          li.textContent = name;
          return li;
        }));
        filesBox.hidden = listing.files.length === 0;
      } catch (_) { /* the listing is a convenience */ }
    }
    if (ACTIVE.includes(data.state)) timer = setTimeout(pollNow, POLL_MS);
  }

  function follow(id) {
    runId = id;
    seen = 0;
    steps.replaceChildren();
    pollNow();
  }

  box.addEventListener("click", async (event) => {
    const action = event.target.closest("[data-live-action]")?.dataset.liveAction;
    if (!action) return;
    showError("");
    try {
      if (action === "start") {
        const data = await call(box.dataset.startUrl, "POST", { instance_id: instanceId(box) });
        follow(data.session_id);
      } else if (runId) {
        const url = controlUrl(action);
        await call(url, "POST", {});
        await pollNow(); // the state and the steps up to it, together
      }
    } catch (err) {
      showError(err.message);
    }
  });

  instruct?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = instruct.querySelector("input");
    const text = input.value.trim();
    if (!text || !runId) return;
    try {
      const url = controlUrl("instruct");
      await call(url, "POST", { instruction: text });
      input.value = "";
    } catch (err) {
      showError(err.message);
    }
  });

  // After a reload: follow this annotator's latest run on the item.
  call(`${box.dataset.sessionsUrl}?instance_id=${encodeURIComponent(instanceId(box))}`)
    .then((data) => {
      const last = data.sessions[data.sessions.length - 1];
      if (last) follow(last.session_id);
      else render("not started");
    })
    .catch((err) => {
      render("not available");
      showError(err.message); // e.g. the project has no agent configured
      if (button("start")) button("start").disabled = true;
    });
}

document.querySelectorAll("[data-live-run]").forEach(setup);
