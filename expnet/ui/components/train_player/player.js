/*
 * The Train page's player (st.components.v2, mounted in the page, no iframe). See
 * __init__.py for the data it receives and the triggers it sends.
 *
 * The server trains; this only plays. Frames arrive in chunks (every frame's epoch, losses,
 * parameters and the output and hidden-unit grids over the input plane, computed by the
 * NumPy core); an animation loop draws one every 1/fps seconds with Plotly.js and asks for
 * the next chunk (trigger "more") while a chunk's worth of frames is still queued. The
 * page's "Pause" button is caught here before Streamlit sees it: the loop stops at once and
 * the trigger "pause" names the frame on screen, which the server then restores.
 */
const PLAYERS = new WeakMap();
const MINUS = "\u2212";
const TYPED = {
  u1: Uint8Array, i1: Int8Array, u2: Uint16Array, i2: Int16Array,
  u4: Uint32Array, i4: Int32Array, f4: Float32Array, f8: Float64Array,
};
const PAUSE_BUTTON = ".st-key-tr_play button";

// ---------------------------------------------------------------- helpers

/** A plotly.js typed array ({dtype, bdata}) or a plain list, as an array of numbers. */
function typed(t) {
  if (t == null) return [];
  if (Array.isArray(t)) return t;
  const bin = atob(t.bdata);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const C = TYPED[t.dtype];
  return new C(bytes.buffer, 0, bytes.byteLength / C.BYTES_PER_ELEMENT);
}

/** Frame `i` of a packed grid: rows of `n` values (a heatmap's z) or one curve. */
function frameOf(packed, i, size, n) {
  const v = packed.values;
  const start = i * size;
  if (packed.lo === undefined) return Array.from(v.subarray(start, start + size));
  const scale = (packed.hi - packed.lo) / 255;
  const rows = [];
  for (let r = 0; r < size / n; r++) {
    const row = new Float32Array(n);
    for (let c = 0; c < n; c++) row[c] = packed.lo + v[start + r * n + c] * scale;
    rows.push(row);
  }
  return rows;
}

function fmt(v, digits) {
  if (v == null || Number.isNaN(v)) return "—";
  if (v === 0) return "0";
  const e = Math.floor(Math.log10(Math.abs(v)));
  const text = e < -4 || e >= digits ? v.toExponential(digits - 1) : v.toFixed(Math.max(0, digits - 1 - e));
  return text.replace("-", MINUS);
}


function el(tag, cls, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

// ---------------------------------------------------------------- a figure in two layers

const CLEAR = "rgba(0,0,0,0)";
const AXIS = /^[xy]axis\d*$/;

/** A moving trace's stand-in on the top layer: drawn as nothing, but its legend entry, its
 * colour bar and its axes' extent stay. */
function ghost(t) {
  const g = Object.assign({}, t);
  if (t.type === "heatmap") Object.assign(g, { opacity: 0 });
  else if (t.type === "contour") Object.assign(g, { z: [[0, 0], [0, 0]], x: [0, 1], y: [0, 1] });
  else if (t.type === "bar") g.y = new Array(typed(t.y).length).fill(0);
  else g.y = new Array(typed(t.x).length).fill(null);
  return g;
}

/**
 * A Plotly figure drawn as two plots stacked exactly (the same size, margins and ranges):
 * the top one holds what stays while training plays (axes, legend, colour bar, the data
 * points) and is drawn again only when an axis range must grow; the one under it holds only
 * the traces that move (`live`: their indices), on bare axes, redrawn every frame. A full
 * Plotly.react of a figure with axes and a legend takes 20-50 ms in headless Chromium; the
 * moving layer alone 5-10 ms. `ranges` (axis name -> [lo, hi]) replace autorange on both.
 */
class Layered {
  constructor(box, fig, live, ranges) {
    this.box = box;
    box.classList.add("tp-layered");
    this.under = el("div", "tp-layer tp-layer-live", box);
    this.over = el("div", "tp-layer tp-layer-top", box);
    this.fig = fig;
    this.live = live;
    this.ranges = ranges || {};
    this.rev = 0;
    this.visible = true;
    this.pending = false;
    new IntersectionObserver((entries) => {
      this.visible = entries[entries.length - 1].isIntersecting;
      if (this.visible && this.pending) this.redraw();
    }).observe(box);
    const config = { displayModeBar: false, responsive: true };
    const top = this.topFigure();
    this.drawn = Plotly.newPlot(this.over, top.data, top.layout, config).then(() =>
      Plotly.newPlot(this.under, [], this.liveLayout(), Object.assign({ staticPlot: true }, config)),
    );
  }

  layout() {
    const layout = Object.assign({}, this.fig.layout);
    for (const [name, range] of Object.entries(this.ranges)) {
      layout[name] = Object.assign({}, layout[name], { range, autorange: false });
    }
    return layout;
  }

  topFigure() {
    const data = this.fig.data.map((t, i) => (this.live.includes(i) ? ghost(t) : t));
    const layout = Object.assign(this.layout(), { paper_bgcolor: CLEAR, plot_bgcolor: CLEAR });
    return { data, layout };
  }

  /** The moving layer's layout: the top layer's plot area as drawn (margins grown for the
   * legend and colour bar, ranges after scaleanchor), copied exactly, nothing else. */
  liveLayout() {
    const full = this.over._fullLayout;
    const size = full._size;
    const layout = {
      height: full.height, showlegend: false, datarevision: this.rev,
      margin: { l: size.l, r: size.r, t: size.t, b: size.b, pad: 0, autoexpand: false },
      plot_bgcolor: this.fig.layout.plot_bgcolor || "#fff",
      paper_bgcolor: this.fig.layout.paper_bgcolor || "#fff",
    };
    for (const name of Object.keys(full)) {
      if (!AXIS.test(name) || !full[name] || !full[name].range) continue;
      const a = full[name];
      layout[name] = {
        visible: false, fixedrange: true, autorange: false, range: a.range.slice(),
        domain: a.domain.slice(), type: a.type === "category" ? "linear" : a.type,
        anchor: a.anchor, overlaying: a.overlaying, side: a.side,
      };
    }
    return layout;
  }

  /** New values of the moving traces (`update(trace, index)` sets them); `ranges`: axes that
   * must grow, which redraws the top layer too. */
  set(update, ranges) {
    this.live.forEach((i) => update(this.fig.data[i], i));
    if (ranges) {
      Object.assign(this.ranges, ranges);
      const top = this.topFigure();
      Plotly.react(this.over, top.data, top.layout); // lays out at once; draws what stays
    }
    if (this.visible) this.redraw();
    else this.pending = true; // drawn when it scrolls into view
  }

  redraw() {
    this.pending = false;
    this.rev += 1;
    const data = this.live.map((i) => {
      const t = Object.assign({}, this.fig.data[i], {
        showlegend: false, showscale: false, hoverinfo: "skip", hovertemplate: null,
      });
      return this.transform ? this.transform(t) : t;
    });
    Plotly.react(this.under, data, this.liveLayout());
  }
}

/** [lo, hi] grown to hold `values` (with `pad` of the span added on the side that grew), or
 * null when they fit. */
function grown(range, values, pad) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return null;
  if (range && lo >= range[0] && hi <= range[1]) return null;
  const span = Math.max(hi - lo, 1e-9);
  if (!range) return [lo - pad * span, hi + pad * span];
  return [Math.min(range[0], lo - pad * span), Math.max(range[1], hi + pad * span)];
}

// ---------------------------------------------------------------- the player

class Player {
  constructor(parent) {
    this.root = el("div", "tp-root", parent);
    this.root.setAttribute("role", "group");
    this.root.setAttribute("aria-label", "Training as it plays: epoch, losses and figures");
    this.root.dataset.state = "loading";
    const metrics = el("div", "tp-metrics", this.root);
    this.metric = {};
    for (const [key, label] of [["epoch", "Epoch"], ["train", "Train loss"],
      ["test", "Test loss"], ["acc", "Train accuracy"]]) {
      const box = el("div", "tp-metric tp-metric-" + key, metrics);
      el("div", "tp-label", box).textContent = label;
      this.metric[key] = el("div", "tp-value", box);
    }
    const main = el("div", "tp-main", this.root);
    this.plots = {
      data: el("div", "tp-plot tp-data", main),
      side: el("div", "tp-side", main),
    };
    this.plots.history = el("div", "tp-plot tp-history", this.plots.side);
    this.plots.weights = el("div", "tp-plot tp-weights", this.plots.side);
    this.unitsTitle = el("p", "tp-units-title", this.root);
    this.plots.units = el("div", "tp-plot tp-units", this.root);
    for (const [name, label] of [
      ["data", "the data over the model's output p on the input plane"],
      ["history", "train and test loss and accuracy per epoch"],
      ["weights", "every weight and bias now, beside its start"],
      ["units", "each hidden unit's output over the input plane"]]) {
      this.plots[name].setAttribute("role", "img");
      this.plots[name].setAttribute("aria-label", label);
    }
    this.play = null;
    this.onPause = (event) => this.pauseClicked(event);
    window.addEventListener("click", this.onPause, true);
  }

  update(data, setTrigger) {
    this.setTrigger = setTrigger;
    if (data.play !== this.play) this.start(data);
    const chunk = data.chunk;
    if (!chunk || chunk.seq <= this.lastSeq) return;
    if (this.lastSeq === 0 && chunk.seq > 1) {
      // Mounted again mid-play (the page was left and opened again, or reloaded): the frames
      // before this chunk are gone, so pause where the server is instead of playing a gap.
      this.playing = false;
      this.root.dataset.state = "paused";
      this.setTrigger("pause", { seq: chunk.seq, frame: -1, end: false });
      return;
    }
    this.append(chunk);
  }

  start(data) {
    this.play = data.play;
    this.data = data;
    // Reduced motion: one frame a second instead of an animation.
    const calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.interval = calm ? 1000 : 1000 / data.fps;
    this.queue = [];
    this.lastSeq = 0;
    this.asked = 0;
    this.final = false;
    this.shown = { seq: 0, frame: -1 };
    this.drawn = 0;
    this.hist = { epoch: [], train_loss: [], test_loss: [], train_accuracy: [], test_accuracy: [] };
    this.histStart = data.histStart;
    this.metric.acc.parentElement.hidden = !data.classification;
    this.metric.test.parentElement.hidden = !data.hasTest;
    this.figs = data.figures;
    this.unitsTitle.hidden = !this.figs.units;
    this.plots.units.hidden = !this.figs.units;
    if (!this.unitsTitle.firstChild) {
      el("strong", "", this.unitsTitle).textContent = "Each hidden unit's output";
      this.unitsTitle.append(" a over the input plane");
    }
    for (const name of ["data", "history", "weights", "units"]) this.plots[name].replaceChildren();
    this.views = {};
    this.ready = loadScript(data.plotlyUrl, "Plotly").then(() => this.build(data));
    this.playing = true;
    this.root.dataset.play = String(data.play);
    this.showMetrics(data.startStats);
    this.ready.then(() => {
      if (!this.playing) return; // paused before Plotly loaded (mounted again mid-play)
      this.root.dataset.state = "playing";
      this.last = performance.now() - this.interval;
      requestAnimationFrame((t) => this.tick(t));
    });
  }

  append(chunk) {
    this.lastSeq = chunk.seq;
    const h = chunk.history;
    for (const k of Object.keys(this.hist)) this.hist[k].push(...typed(h[k]));
    const decoded = {
      seq: chunk.seq,
      frames: chunk.frames,
      params: typed(chunk.params),
      output: chunk.output ? { ...chunk.output, values: typed(chunk.output.values) } : null,
      units: (chunk.units || []).map((u) => ({ ...u, values: typed(u.values) })),
    };
    chunk.frames.forEach((_, i) => this.queue.push([decoded, i]));
    if (chunk.note) {
      this.final = true;
      this.note = chunk.note;
    }
  }

  tick(now) {
    if (!this.playing) return;
    if (!this.root.isConnected) {
      // unmounted (the page changed): stop, and let go of the Pause button
      this.playing = false;
      window.removeEventListener("click", this.onPause, true);
      return;
    }
    if (this.queue.length && now - this.last >= this.interval - 1) {
      // Keep to the clock: a late frame does not push every later one back.
      this.last = Math.max(this.last + this.interval, now - this.interval);
      const [chunk, i] = this.queue.shift();
      this.draw(chunk, i);
    }
    if (!this.final && this.asked < this.lastSeq + 1 && this.queue.length <= this.data.ask) {
      this.asked = this.lastSeq + 1;
      this.setTrigger("more", { seq: this.lastSeq });
    }
    if (this.final && !this.queue.length) {
      this.stop(true);
      return;
    }
    requestAnimationFrame((t) => this.tick(t));
  }

  /** The page's Pause button, caught before Streamlit's own handler. */
  pauseClicked(event) {
    if (!this.playing || !this.root.isConnected) return;
    const button = event.target.closest && event.target.closest(PAUSE_BUTTON);
    if (!button) return;
    event.stopPropagation();
    event.preventDefault();
    this.stop(false);
  }

  stop(end) {
    this.playing = false;
    this.root.dataset.state = "paused";
    this.setTrigger("pause", { seq: this.shown.seq, frame: this.shown.frame, end });
  }

  showMetrics(s) {
    this.metric.epoch.textContent = String(s.epoch);
    this.metric.train.textContent = fmt(s.train, 5);
    this.metric.test.textContent = fmt(s.test, 5);
    this.metric.acc.textContent = s.acc == null ? "—" : (100 * s.acc).toFixed(1) + "%";
    this.root.dataset.epoch = String(s.epoch);
  }

  /** The four figures as layered views (see Layered), from the page's own figures. */
  build(data) {
    const figs = this.figs;
    const v = this.views;
    const d = figs.data;
    const heat = d.data[0] && d.data[0].type === "heatmap";
    this.axes = heat ? [typed(d.data[0].x), typed(d.data[0].y)] : null;
    const moving = d.data.map((t, i) => i).filter((i) => i === 0 || d.data[i].type === "contour");
    const dataRanges = {};
    if (!heat && d.data[0]) {
      const ys = d.data.slice(1).flatMap((t) => Array.from(typed(t.y)));
      dataRanges.yaxis = grown(null, ys.concat(Array.from(typed(d.data[0].y))), 0.1);
    }
    v.data = new Layered(this.plots.data, d, moving, dataRanges);
    const h = figs.history;
    this.logRange = grown(null, this.logLosses(h.data), 0.15) || [-3, 0];
    v.history = new Layered(this.plots.history, h, h.data.map((t, i) => i), {
      xaxis: [0, Math.max(data.epochsMax, 1)], yaxis: this.logRange,
    });
    const w = figs.weights;
    const P = typed(w.data[0].y).length;
    this.weightRange = grown(null, [0, ...typed(w.data[0].y), ...typed(w.data[1].y)], 0.1);
    const index = Array.from({ length: P }, (_, k) => k);
    v.weights = new Layered(this.plots.weights, w, [0], {
      xaxis: [-0.5, P - 0.5], yaxis: this.weightRange,
    });
    v.weights.transform = (t) => Object.assign({}, t, { x: index }); // numeric: cheaper
    const u = figs.units;
    if (u) this.plots.units.style.height = u.layout.height + "px";
    if (u) v.units = new Layered(this.plots.units, u, u.data.map((t, i) => i), this.unitRanges(u));
    return Promise.all(Object.values(v).map((view) => view.drawn));
  }

  logLosses(traces) {
    const out = [];
    for (const t of traces) {
      if (t.yaxis === "y2") continue;
      for (const y of typed(t.y)) if (y > 0) out.push(Math.log10(y));
    }
    return out;
  }

  unitRanges(u) {
    // curves (one input): each panel's own y range, grown as it moves
    const ranges = {};
    u.data.forEach((t, j) => {
      if (t.type !== "heatmap") ranges["yaxis" + (j ? j + 1 : "")] = grown(null, [0, 1, ...typed(t.y)], 0.1);
    });
    return ranges;
  }

  draw(chunk, i) {
    const s = chunk.frames[i];
    this.shown = { seq: chunk.seq, frame: i };
    this.drawn += 1;
    this.root.dataset.frames = String(this.drawn);
    this.showMetrics(s);
    const v = this.views;
    // the output over the plane (heatmap + boundary) or along the line (curve)
    if (chunk.output) {
      const o = chunk.output;
      if (this.axes) {
        const n = this.axes[0].length;
        const z = frameOf(o, i, n * this.axes[1].length, n);
        this.timed("data", () => v.data.set((t) => {
          if (t.type === "heatmap") t.z = z;
          else Object.assign(t, { x: this.axes[0], y: this.axes[1], z });
        }));
      } else {
        const y = frameOf(o, i, o.values.length / chunk.frames.length, 0);
        const range = grown(v.data.ranges.yaxis, y, 0.15);
        this.timed("data", () => v.data.set((t) => { t.y = y; }, range && { yaxis: range }));
      }
    }
    if (v.units && chunk.units.length) {
      const grow = {};
      this.timed("units", () => v.units.set((t, j) => {
        const packed = chunk.units[j];
        const size = packed.values.length / chunk.frames.length;
        if (t.type === "heatmap") {
          t.z = frameOf(packed, i, size, Math.round(Math.sqrt(size)));
          t.zmin = Math.min(packed.lo, 0);
          t.zmax = Math.max(packed.hi, 1);
        } else {
          t.y = frameOf(packed, i, size, 0);
          const name = "yaxis" + (j ? j + 1 : "");
          const r = grown(v.units.ranges[name], t.y, 0.15);
          if (r) grow[name] = r;
        }
      }, null));
      if (Object.keys(grow).length) v.units.set(() => {}, grow);
    }
    // the history up to this frame (the core's numbers, float64)
    const n = s.hist - this.histStart;
    const names = { "train loss": "train_loss", "test loss": "test_loss",
      "train accuracy": "train_accuracy", "test accuracy": "test_accuracy" };
    const h = v.history;
    h.fig.data.forEach((t) => {
      const key = names[t.name];
      if (!key) return;
      if (!t.base) t.base = { x: Array.from(typed(t.x)), y: Array.from(typed(t.y)) };
    });
    const logs = [];
    for (const key of ["train_loss", "test_loss"]) {
      for (const y of this.hist[key].slice(Math.max(0, n - 50), n)) if (y > 0) logs.push(Math.log10(y));
    }
    const logRange = grown(h.ranges.yaxis, logs, 0.5);
    const xRange = s.epoch > h.ranges.xaxis[1] ? [0, 2 * s.epoch] : null;
    const grow = {};
    if (logRange) grow.yaxis = logRange;
    if (xRange) grow.xaxis = xRange;
    this.timed("history", () => h.set((t) => {
      const key = names[t.name];
      if (!key) return;
      t.x = t.base.x.concat(this.hist.epoch.slice(0, n));
      t.y = t.base.y.concat(this.hist[key].slice(0, n));
    }, Object.keys(grow).length ? grow : null));
    // every parameter now, beside its start
    const P = chunk.params.length / chunk.frames.length;
    const now = Array.from(chunk.params.subarray(i * P, (i + 1) * P));
    const wRange = grown(v.weights.ranges.yaxis, now, 0.25);
    this.timed("weights", () => v.weights.set((t) => {
      t.y = now;
      t.marker = Object.assign({}, t.marker, { color: now.map((x) => (x >= 0 ? "#2563eb" : "#dc2626")) });
    }, wRange && { yaxis: wRange }));
  }

  /** Run ``draw`` and keep its time (ms, the last 50 frames) in window.__trainPlayerCost:
   * the bench reads where a frame's time goes. */
  timed(name, draw) {
    const t0 = performance.now();
    draw();
    const cost = (window.__trainPlayerCost = window.__trainPlayerCost || {});
    (cost[name] = cost[name] || []).push(performance.now() - t0);
    if (cost[name].length > 50) cost[name].shift();
  }
}

export default function ({ data, parentElement, setTriggerValue }) {
  instanceFor(PLAYERS, parentElement, (el) => new Player(el)).update(data, setTriggerValue);
  return () => {};
}
