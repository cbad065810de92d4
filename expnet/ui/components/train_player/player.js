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

function loadPlotly(url) {
  // The same promise the live network widget uses: one load per page.
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__expnetPlotly) {
    window.__expnetPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window.__expnetPlotly = null;
        reject(new Error("could not load " + url));
      };
      document.head.appendChild(script);
    });
  }
  return window.__expnetPlotly;
}

function el(tag, cls, parent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

// ---------------------------------------------------------------- the player

class Player {
  constructor(parent) {
    this.root = el("div", "tp-root", parent);
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
    this.play = null;
    this.onPause = (event) => this.pauseClicked(event);
    window.addEventListener("click", this.onPause, true);
  }

  update(data, setTrigger) {
    this.setTrigger = setTrigger;
    if (data.play !== this.play) this.start(data);
    const chunk = data.chunk;
    if (chunk && chunk.seq > this.lastSeq) this.append(chunk);
  }

  start(data) {
    this.play = data.play;
    this.data = data;
    this.interval = 1000 / data.fps;
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
    this.unitsTitle.innerHTML = "<strong>Each hidden unit's output</strong> a over the input plane";
    this.ready = loadPlotly(data.plotlyUrl).then((Plotly) => {
      const config = { displayModeBar: false, responsive: true };
      const jobs = [];
      for (const name of ["data", "history", "weights", "units"]) {
        const fig = this.figs[name];
        if (!fig) continue;
        fig.layout.datarevision = 0;
        jobs.push(Plotly.newPlot(this.plots[name], fig.data, fig.layout, config));
      }
      const heat = this.figs.data.data[0];
      this.axes = heat && heat.type === "heatmap" ? [typed(heat.x), typed(heat.y)] : null;
      return Promise.all(jobs);
    });
    this.playing = true;
    this.root.dataset.state = "playing";
    this.root.dataset.play = String(data.play);
    this.showMetrics(data.startStats);
    this.ready.then(() => {
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

  draw(chunk, i) {
    const Plotly = window.Plotly;
    const s = chunk.frames[i];
    this.shown = { seq: chunk.seq, frame: i };
    this.drawn += 1;
    this.root.dataset.frames = String(this.drawn);
    this.showMetrics(s);
    const rev = this.drawn;
    // the output over the plane (heatmap + boundary) or along the line (curve)
    const f = this.figs.data;
    if (chunk.output) {
      const o = chunk.output;
      if (this.axes) {
        const n = this.axes[0].length;
        const z = frameOf(o, i, n * this.axes[1].length, n);
        f.data.forEach((t) => {
          if (t.type === "heatmap") t.z = z;
          if (t.type === "contour") Object.assign(t, { x: this.axes[0], y: this.axes[1], z });
        });
      } else {
        f.data[0].y = frameOf(o, i, o.values.length / chunk.frames.length, 0);
      }
      f.layout.datarevision = rev;
      Plotly.react(this.plots.data, f.data, f.layout);
    }
    const u = this.figs.units;
    if (u && chunk.units.length) {
      chunk.units.forEach((packed, j) => {
        const t = u.data[j];
        const size = packed.values.length / chunk.frames.length;
        if (t.type === "heatmap") {
          const n = Math.round(Math.sqrt(size));
          t.z = frameOf(packed, i, size, n);
          t.zmin = Math.min(packed.lo, 0);
          t.zmax = Math.max(packed.hi, 1);
        } else {
          t.y = frameOf(packed, i, size, 0);
        }
      });
      u.layout.datarevision = rev;
      Plotly.react(this.plots.units, u.data, u.layout);
    }
    // the history up to this frame (the core's numbers, float64)
    const n = s.hist - this.histStart;
    const h = this.figs.history;
    const names = { "train loss": "train_loss", "test loss": "test_loss",
      "train accuracy": "train_accuracy", "test accuracy": "test_accuracy" };
    h.data.forEach((t) => {
      const key = names[t.name];
      if (!key) return;
      if (!t.base) t.base = { x: Array.from(typed(t.x)), y: Array.from(typed(t.y)) };
      t.x = t.base.x.concat(this.hist.epoch.slice(0, n));
      t.y = t.base.y.concat(this.hist[key].slice(0, n));
    });
    h.layout.datarevision = rev;
    Plotly.react(this.plots.history, h.data, h.layout);
    // every parameter now, beside its start
    const w = this.figs.weights;
    const P = chunk.params.length / chunk.frames.length;
    const now = Array.from(chunk.params.subarray(i * P, (i + 1) * P));
    w.data[0].y = now;
    w.data[0].marker.color = now.map((v) => (v >= 0 ? "#2563eb" : "#dc2626"));
    w.layout.datarevision = rev;
    Plotly.react(this.plots.weights, w.data, w.layout);
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let player = PLAYERS.get(parentElement);
  if (!player) {
    player = new Player(parentElement);
    PLAYERS.set(parentElement, player);
  }
  player.update(data, setTriggerValue);
  // Streamlit calls this function again with each new `data`: the DOM and the plots stay.
  return () => {};
}
