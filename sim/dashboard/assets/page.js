// The dashboard page: controls, ECharts figures, the agreement panel, the narrator.
// One WebSocket to the server; every message asks for an action ({op, ...}) and each
// answer is a frame built by the participant's worker (sim/dashboard/frames.py):
// ECharts options ready to draw, the week, the panel, the story. Answers come back in
// the order asked, so a queue of what was asked says which answer belongs to Play.
"use strict";
(() => {
  const C = window.XB;
  const $ = (id) => document.getElementById(id);
  const state = {
    charts: C.default_charts.slice(),
    a: null,
    b: null,
    side: false,
    playing: false,
    speed: 4,
    sliders: {},
    frame: null,
    asked: [], // kinds of the messages awaiting their answer, oldest first
    lost: false,
    play: 0, // the current Play loop (a Pause, or Play again, starts another)
    setup: "", // the set-up the set-up panel shows (scenario and seed)
  };
  const figures = new Map(); // key -> {box, parent, chart, shown}
  let ws = null;

  function node(tag, props = {}, text = "") {
    const e = document.createElement(tag);
    Object.assign(e, props);
    if (text) e.textContent = text;
    return e;
  }

  function lines(box, texts, cls) {
    box.replaceChildren(...texts.map((t) => node("div", { className: cls }, t)));
  }

  // ------------------------------------------------------------------ the connection
  function connect() {
    const token = new URLSearchParams(location.search).get("token") || "";
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${proto}//${location.host}/ws?token=${encodeURIComponent(token)}`);
    ws.onopen = () => send("view");
    ws.onmessage = (e) => receive(JSON.parse(e.data));
    ws.onclose = () => {
      if (state.lost) return;
      state.lost = true;
      state.playing = false;
      showError("The connection to the server is lost: reload the page to join again.");
      buttons();
    };
  }

  // Each map's size on the page (pixels): the worker places the state names for it.
  function mapPx(side) {
    const box = $("xb-maps");
    const n = side ? 2 : 1;
    const width = (box.clientWidth || window.innerWidth * 0.58) - 8 * (n - 1);
    const first = box.firstElementChild; // as page.css sizes it (--map-h)
    const height = first ? first.clientHeight : Math.max(420, Math.min(560, innerHeight - 400));
    return [Math.round(width / n), Math.round(height)];
  }

  function send(op, extra = {}, kind = op) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    state.asked.push(kind);
    const side = op === "side_by_side" ? !!extra.on : op === "reset" ? !!extra.side : state.side;
    const msg = { op, charts: state.charts, a: state.a, b: state.b, map_px: mapPx(side), ...extra };
    ws.send(JSON.stringify(msg));
  }

  function receive(f) {
    const kind = state.asked.shift();
    if (f.full || f.fatal) {
      state.lost = true;
      $("xb-joining").hidden = true;
      $("xb-page").hidden = true;
      $("xb-full").hidden = false;
      $("xb-full").querySelector("p").textContent = f.full || f.fatal;
      if (f.fatal) $("xb-full").className = "xb-fatal";
      return;
    }
    if (f.week === undefined) {
      // an error with no frame (a Reset the room refused)
      showError(f.error || "error");
      return;
    }
    render(f);
    if (kind === `play${state.play}`) nextPlay(); // an answer to an older loop ends there
  }

  // ------------------------------------------------------------------------ Play
  function interval() {
    return Math.max(1 / state.speed, 0.25);
  }

  function play(loop) {
    if (!state.playing || state.lost || loop !== state.play) return;
    state.playStarted = performance.now();
    const n = Math.max(1, Math.round(state.speed * interval()));
    send("step", { n }, `play${loop}`);
  }

  function nextPlay() {
    if (!state.playing) return;
    if (!state.frame.running) {
      state.playing = false;
      buttons();
      return;
    }
    const left = interval() * 1000 - (performance.now() - state.playStarted);
    const loop = state.play;
    setTimeout(() => play(loop), Math.max(0, left));
  }

  // -------------------------------------------------------------------- figures
  // Whether merging `next` into a chart showing `shown` gives exactly `next`: the same
  // keys everywhere, the same series by type and name (new data, widths, bounds).
  function mergeable(shown, next) {
    const a = shown.series || [];
    const b = next.series || [];
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (a[i].type !== b[i].type || a[i].name !== b[i].name) return false;
    }
    return sameKeys(shown, next);
  }

  function sameKeys(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b);
    const objA = a !== null && typeof a === "object";
    const objB = b !== null && typeof b === "object";
    if (!objA || !objB) return objA === objB;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => {
      if (!(k in b)) return false;
      if (k === "series" && Array.isArray(a[k]) && Array.isArray(b[k])) {
        return a[k].length === b[k].length && a[k].every((s, i) => sameKeys(s, b[k][i]));
      }
      return sameKeys(a[k], b[k]);
    });
  }

  // Draw `options` ({key: option}) in `box`, one figure each, in order; drop the others.
  function draw(box, options, prefix) {
    const keys = Object.keys(options);
    for (const [key, fig] of figures) {
      if (fig.parent === box && !keys.includes(key)) {
        fig.chart.dispose();
        fig.box.remove();
        figures.delete(key);
      }
    }
    keys.forEach((key, i) => {
      let fig = figures.get(key);
      if (!fig) {
        const div = node("div", { className: `${prefix}-${key}` });
        const chart = echarts.init(div);
        // zrender keeps asking for frames until 10 in a row drew nothing: one is enough
        chart.getZr().setSleepAfterStill(1);
        fig = { box: div, parent: box, chart, shown: null };
        figures.set(key, fig);
        new ResizeObserver(() => chart.resize()).observe(div);
      }
      if (box.children[i] !== fig.box) box.insertBefore(fig.box, box.children[i] || null);
      const option = options[key];
      const rebuild = !fig.shown || !mergeable(fig.shown, option);
      fig.chart.setOption(option, { notMerge: rebuild, lazyUpdate: !rebuild });
      fig.shown = option;
    });
  }

  // ---------------------------------------------------------------------- render
  function showError(text) {
    $("xb-error").textContent = text;
    $("xb-error").hidden = !text;
  }

  function buttons() {
    const f = state.frame;
    const running = !!(f && f.running) && !state.lost;
    $("xb-play").textContent = state.playing ? "Pause" : "Play";
    $("xb-play").disabled = !running;
    $("xb-step").disabled = state.playing || !running;
    $("xb-reset").disabled = state.lost;
  }

  function render(f) {
    state.frame = f;
    $("xb-joining").hidden = true;
    $("xb-page").hidden = false;
    $("xb-title").textContent = `xborder: ${f.scenario}`;
    document.title = `xborder: ${f.scenario}`;
    $("xb-week").textContent =
      `Week ${f.week} of ${f.horizon} (seed ${f.seed}, after ${f.warmup} weeks of warm-up)` +
      (f.running ? "" : ": the run is over, Reset starts it again");
    syncSetUp(f);
    showError("");
    state.side = f.side_by_side;
    $("xb-side").checked = f.side_by_side;
    $("xb-side-note").hidden = !f.side_by_side;
    $("xb-side-note").textContent = f.side_by_side
      ? `Side by side: left with the agreements, right the status quo (seed ${f.seed}); ` +
        "dashed lines in the charts."
      : "";
    draw($("xb-maps"), prefixed(f.maps, "map"), "xb");
    const shown = Object.keys(f.charts);
    for (const input of $("xb-chart-boxes").querySelectorAll("input")) {
      input.checked = shown.includes(input.value);
    }
    $("xb-chart-summary").textContent =
      `Charts (two or three): ${shown.map((n) => C.charts[n]).join(", ")}`;
    draw($("xb-charts"), prefixed(f.charts, "chart"), "xb");
    agreements(f);
    lines($("xb-story"), f.story, "xb-story-line");
    buttons();
  }

  function prefixed(options, kind) {
    const out = {};
    for (const [k, v] of Object.entries(options)) out[`${kind}-${k}`] = v;
    return out;
  }

  function fillSelect(select, values, value, names = values) {
    if ([...select.options].map((o) => o.value).join() !== values.join()) {
      const label = (v, i) => (names[i] === v ? v : `${v} (${names[i]})`);
      select.replaceChildren(...values.map((v, i) => node("option", { value: v }, label(v, i))));
    }
    select.value = value;
  }

  function agreements(f) {
    state.a = f.a;
    state.b = f.b;
    $("xb-agreements-title").textContent = `Agreements (act from week ${f.week} on)`;
    fillSelect($("xb-a"), f.states, f.a, f.state_names);
    fillSelect($("xb-b"), f.states, f.b, f.state_names);
    const exists = f.panel.existing.join(", ") || "none";
    const between = f.a === f.b ? `for ${f.a}` : `between ${f.a} and ${f.b}`;
    $("xb-existing").textContent = `Already in force ${between}: ${exists}`;
    for (const [kind, label] of Object.entries(C.switches)) {
      const b = $(`xb-switch-${kind}`);
      b.disabled = kind in f.panel.no_effect || state.lost || !f.running;
      b.title = f.panel.no_effect[kind] ? `no effect: ${f.panel.no_effect[kind]}` : label;
    }
    lines(
      $("xb-noops"),
      Object.entries(f.panel.no_effect).map(([k, why]) => `${C.switches[k]}: no effect (${why})`),
      "xb-noop",
    );
    $("xb-offs").replaceChildren(
      ...f.switches
        .filter((s) => s.on)
        .map((s) => {
          const b = node("button", { className: "xb-switch-off xb-text" }, `Switch off ${s.label}`);
          b.onclick = () => send("switch_off", { label: s.label });
          return b;
        }),
    );
    $("xb-panel-error").textContent = f.error;
    $("xb-panel-error").hidden = !f.error;
    lines($("xb-messages"), f.messages, "xb-switched");
  }

  // -------------------------------------------------------------------- controls
  function controls() {
    $("xb-play").onclick = () => {
      state.playing = !state.playing;
      state.play += 1; // a new loop; the old one's pending answer will not continue it
      buttons();
      if (state.playing) play(state.play);
    };
    $("xb-step").onclick = () => send("step", { n: 1 });
    $("xb-reset").onclick = () => {
      state.playing = false;
      state.play += 1;
      send("reset", {
        scenario: $("xb-scenario").value,
        seed: Number($("xb-seed").value),
        sliders: state.sliders,
        side: state.side,
      });
    };
    $("xb-speed").oninput = (e) => {
      state.speed = Number(e.target.value);
      $("xb-speed-value").textContent = e.target.value;
    };
    $("xb-side").onchange = (e) => send("side_by_side", { on: e.target.checked });
    $("xb-a").onchange = (e) => ((state.a = e.target.value), send("view"));
    $("xb-b").onchange = (e) => ((state.b = e.target.value), send("view"));
    for (const [kind, label] of Object.entries(C.switches)) {
      const b = node("button", { id: `xb-switch-${kind}`, className: `xb-switch-${kind}` }, label);
      b.onclick = () => send("switch_on", { kind });
      $("xb-switches").append(b);
    }
    chartChoice();
    setUp();
  }

  function chartChoice() {
    const box = $("xb-chart-boxes");
    for (const [name, label] of Object.entries(C.charts)) {
      const input = node("input", { type: "checkbox", value: name });
      input.checked = state.charts.includes(name);
      input.onchange = () => {
        const on = [...box.querySelectorAll("input:checked")].map((i) => i.value);
        const note = $("xb-chart-note");
        if (on.length > 3 || on.length < 2) {
          // two or three charts: room to read them at 5 metres, and something to compare
          input.checked = !input.checked;
          note.textContent =
            on.length > 3 ? "Three charts at most: untick one first." : "Two charts at least.";
          return;
        }
        note.textContent = "";
        const kept = state.charts.filter((n) => on.includes(n));
        state.charts = kept.concat(on.filter((n) => !kept.includes(n)));
        send("view");
      };
      const l = node("label");
      l.append(input, ` ${label}`);
      box.append(l);
    }
  }

  function setUp() {
    const toggle = $("xb-setup-toggle");
    const label = (shown) =>
      `${shown ? "Hide" : "Show"} the set-up: scenario, seed, parameters (Reset applies)`;
    toggle.textContent = label(false);
    toggle.onclick = () => {
      $("xb-setup").hidden = !$("xb-setup").hidden;
      toggle.textContent = label(!$("xb-setup").hidden);
    };
    fillSelect($("xb-scenario"), C.scenarios, C.scenario);
    $("xb-seed").onchange = (e) => {
      const seed = Math.min(99, Math.max(0, Math.round(Number(e.target.value) || 0)));
      e.target.value = String(seed); // what Reset will use, shown
    };
    for (const [name, [text, lo, hi, step]] of Object.entries(C.sliders)) {
      const input = node("input", { id: `xb-slider-${name}`, type: "range", min: lo, max: hi, step });
      const out = node("output", { id: `xb-slider-${name}-value` });
      input.setAttribute("aria-label", text);
      input.oninput = () => {
        state.sliders[name] = Number(input.value);
        out.textContent = input.value;
      };
      const l = node("label", { className: "xb-slider" }, `${text} `);
      l.append(input, " ", out);
      $("xb-sliders").append(l);
    }
  }

  // The set-up panel shows the run's own set-up (scenario, seed, parameter values) each
  // time a run starts: a slider no one moved shows the value the run uses.
  function syncSetUp(f) {
    const key = `${f.scenario}/${f.seed}/${JSON.stringify(f.params)}`;
    if (key === state.setup) return;
    state.setup = key;
    state.sliders = {};
    fillSelect($("xb-scenario"), C.scenarios, f.scenario);
    $("xb-seed").value = String(f.seed);
    for (const [name, value] of Object.entries(f.params)) {
      const input = $(`xb-slider-${name}`);
      if (!input) continue;
      input.value = String(value);
      $(`xb-slider-${name}-value`).textContent = String(value);
    }
  }

  controls();
  connect();
})();
