/*
 * The live network widget (st.components.v2, mounted in the page, no iframe). See
 * __init__.py for the data it receives, what it sends back and the window events.
 *
 * While a slider moves (pointer drag, touch, pen, or a held key) every animation frame runs
 * ExpnetEngine (engine.js, prepended to this file) on the local values and redraws the
 * readouts and the diagram (patchFigure, diagram.js); nothing goes to the server. On release,
 * and on each single keypress (a held key commits at most every COMMIT_EVERY_MS), the value
 * is sent to Python as the trigger "commit"; the core recomputes and the next `data` replaces
 * every number shown here by the core's.
 *
 * Commits in flight: each commit carries a sequence number, and every value sent that the
 * server has not yet acknowledged (`data.ack` echoes the widget's id and the last sequence
 * number it stored). A `data` that answers an older commit keeps the newer values on the
 * sliders and previews them, so a keypress made while a commit is in flight starts from the
 * value shown, and when Streamlit folds two commits into one rerun (the newer trigger wins)
 * the newer still holds every value.
 */
const COMMIT_EVERY_MS = 250;
const INSTANCES = new WeakMap();
const MINUS = "\u2212";

// ---------------------------------------------------------------- formatting (fmt, affineText: format.js)

function fixed(v, decimals) {
  if (v == null || !Number.isFinite(v)) return fmt(v, 4);
  if (Math.abs(v) >= 1e5) return fmt(v, 5);
  return v.toFixed(decimals);
}

function sliderText(v) {
  return (v < 0 ? MINUS : "") + Math.abs(v).toFixed(2);
}

// ---------------------------------------------------------------- one widget

/** What a figure looks like, hover texts left out (computed before Plotly sees the object:
 * Plotly.react fills in defaults on the layout it is given). */
function lookKey(fig) {
  return JSON.stringify([fig.data.map((t) => Object.assign({}, t, { hovertext: undefined })), fig.layout]);
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text != null) node.textContent = text;
  return node;
}

// W with 11 below and (2) above, as text nodes (no markup from the data)
function symbolNodes(parts) {
  const frag = document.createDocumentFragment();
  frag.append(parts.base);
  const below = el("sub");
  below.textContent = parts.below;
  if (!parts.above) {
    if (parts.below) frag.append(below);
    return frag;
  }
  const script = el("span", "xn-script");
  const above = el("sup");
  above.textContent = parts.above;
  script.append(above, below);
  frag.append(script);
  return frag;
}

class LiveNetwork {
  constructor(parent) {
    this.root = el("div", "xn-root");
    parent.appendChild(this.root);
    this.values = {};
    this.dragging = null; // name of the slider held by a pointer
    this.keyHeld = null;
    this.dirty = false; // local values differ from the last data
    this.frame = 0;
    this.frames = 0; // preview frames drawn (read by bench/drag.py)
    this.lastCommit = 0;
    this.commitTimer = null;
    this.seq = 0;
    this.id = Math.random().toString(36).slice(2); // tells this widget's acks from another's
    this.unacked = {}; // name -> {value, seq}: sent, not yet stored by the server
    this.signature = null;
    this.inputs = {};
    this.root.dataset.frames = "0";
  }

  // ---- data from Python
  update(data, setTriggerValue) {
    this.setTrigger = setTriggerValue;
    this.data = data;
    const signature = JSON.stringify([data.mode, data.shape, data.groups, data.ySymbol]);
    if (signature !== this.signature) {
      this.signature = signature;
      this.build();
    }
    const ack = data.ack && data.ack.id === this.id ? data.ack.seq : 0;
    for (const name in this.unacked) if (this.unacked[name].seq <= ack) delete this.unacked[name];
    if (this.dragging || this.keyHeld) {
      this.stale = true; // applied when the hand lets go
      return;
    }
    this.settle();
  }

  /** Show the newest numbers: the core's, or the values still in flight previewed. */
  settle() {
    if (Object.keys(this.unacked).length) this.showUnacked();
    else this.applyCore();
  }

  /** A `data` older than a commit in flight: the core's values with the newer ones on top,
   * previewed, until the answer to the last commit arrives. */
  showUnacked() {
    this.stale = true;
    this.values = Object.assign({}, this.data.values);
    for (const name in this.unacked) this.values[name] = this.unacked[name].value;
    for (const name in this.inputs) this.showSlider(name);
    if (this.data.figure) this.figure = this.data.figure;
    this.dirty = true;
    this.schedule();
  }

  /** Every number from the core (data): slider positions, readouts and the diagram. */
  applyCore() {
    const data = this.data;
    this.stale = false;
    this.dirty = false;
    this.values = Object.assign({}, data.values);
    for (const name in this.inputs) this.showSlider(name);
    if (this.readouts) {
      data.readouts.forEach((r, i) => {
        this.readouts[i].label.textContent = r.label;
        this.readouts[i].value.textContent = r.value;
      });
      this.root.dataset.source = "core";
      this.root.dataset.commit = String(data.commit || 0);
    }
    if (data.figure && this.plot) {
      this.figure = data.figure;
      this.showCoreFigure(this.figure);
      // the name carries the flags' sentences (a saturated or dead unit), which change
      this.plot.setAttribute("aria-label", data.diagramLabel || "network diagram");
    }
  }

  /** Draw the core's diagram. After a commit the preview has usually drawn the same picture
   * already (same labels, colours, widths): then nothing is redrawn, and only the hover
   * texts, which the preview does not write, wait to be set until a pointer is over the
   * diagram (a restyle costs as much as a whole Plotly.react). */
  showCoreFigure(fig) {
    if (window.Plotly && this.plotBound && lookKey(fig) === this.drawnKey) {
      const hover = fig.data.map((t) => (t.hovertext === undefined ? null : t.hovertext));
      this.pendingHover = JSON.stringify(hover) !== this.drawnHover ? hover : null;
      if (this.pendingHover && this.plot.matches(":hover")) this.flushHover();
      return;
    }
    this.drawFigure(fig);
  }

  flushHover() {
    const hover = this.pendingHover;
    if (!hover || !window.Plotly) return;
    this.pendingHover = null;
    this.drawnHover = JSON.stringify(hover);
    window.Plotly.restyle(this.plot, { hovertext: hover }, hover.map((_, i) => i));
  }

  // ---- DOM
  build() {
    const data = this.data;
    this.root.replaceChildren();
    this.inputs = {};
    this.root.classList.toggle("xn-full", data.mode === "full");
    const sliders = el("div", "xn-sliders");
    if (data.mode === "full") {
      const right = el("div", "xn-right");
      const readouts = el("div", "xn-readouts");
      readouts.setAttribute("aria-live", "off");
      this.readouts = data.readouts.map((r) => {
        const box = el("div", "xn-readout");
        box.dataset.key = r.key;
        const label = el("div", "xn-readout-label", r.label);
        const value = el("div", "xn-readout-value", r.value);
        box.append(label, value);
        readouts.appendChild(box);
        return { box, label, value };
      });
      this.plot = el("div", "xn-diagram");
      this.plot.setAttribute("role", "img");
      this.plot.setAttribute("aria-label", data.diagramLabel || "network diagram");
      this.plot.addEventListener("pointerenter", () => this.flushHover());
      this.plot.addEventListener("pointerdown", (e) => {
        this.press = { x: e.clientX, y: e.clientY };
      });
      this.plot.addEventListener("click", (e) => this.onTap(e));
      right.append(readouts, this.plot);
      this.root.append(right, sliders);
      loadScript(data.plotlyUrl, "Plotly").then(
        () => this.figure && this.drawFigure(this.figure),
        (err) => { this.plot.textContent = String(err); }
      );
    } else {
      this.readouts = null;
      this.plot = null;
      this.root.append(sliders);
    }
    data.groups.forEach((group) => {
      const box = el("details", "xn-group");
      box.open = true;
      box.appendChild(el("summary", null, group.title));
      const cols = el("div", "xn-units");
      group.units.forEach((unit) => {
        const col = el("div", "xn-unit");
        unit.forEach((p) => col.appendChild(p.locked ? this.lockedValue(p) : this.slider(p)));
        cols.appendChild(col);
      });
      box.appendChild(cols);
      sliders.appendChild(box);
    });
  }

  /** A parameter's row: its symbol and a value shown beside it (both hidden from screen
   * readers, which read the control's own words). */
  row(p, extra, valueClass) {
    const row = el("div", "xn-slider" + extra);
    row.dataset.name = p.name;
    const head = el("div", "xn-slider-head");
    const symbol = el("span", "xn-symbol");
    symbol.append(symbolNodes(p.symbol));
    symbol.setAttribute("aria-hidden", "true");
    const value = el("span", valueClass);
    value.setAttribute("aria-hidden", "true");
    head.append(symbol, value);
    row.append(head);
    return { row, head, value };
  }

  /** A parameter a teacher's link locked: its symbol and value as text, no slider (nothing
   * here can change it, so it is never committed). */
  lockedValue(p) {
    const { row, head, value } = this.row(p, " xn-locked", "xn-locked-value");
    const spoken = el("span", "xn-sr-only");
    head.append(spoken);
    if (p.help) row.title = p.help;
    this.inputs[p.name] = { value, spoken, spec: p, locked: true };
    return row;
  }

  slider(p) {
    const { row, value } = this.row(p, "", "xn-slider-value");
    const input = el("input", "xn-range");
    input.type = "range";
    input.min = String(p.lo);
    input.max = String(p.hi);
    input.step = String(this.data.step);
    input.setAttribute("aria-label", p.aria);
    if (p.help) input.title = p.help;
    row.append(input);
    this.inputs[p.name] = { input, value, spec: p };

    input.addEventListener("pointerdown", () => {
      this.dragging = p.name;
    });
    input.addEventListener("input", () => {
      // pointer (mouse, touch, pen) moving the thumb: preview only
      this.values[p.name] = this.clamp(p, Number(input.value));
      this.dirty = true;
      this.showSlider(p.name);
      this.schedule();
    });
    input.addEventListener("change", () => {
      // the pointer let go (keys are handled below and never reach here)
      this.dragging = null;
      this.commit(p.name);
    });
    const release = () => {
      if (this.dragging === p.name) {
        this.dragging = null;
        this.commit(p.name);
      }
    };
    input.addEventListener("pointerup", release);
    input.addEventListener("pointercancel", release);
    input.addEventListener("keydown", (e) => this.onKey(e, p));
    input.addEventListener("keyup", () => {
      if (this.keyHeld === p.name) {
        this.keyHeld = null;
        if (this.pendingCommit) this.commit(p.name);
        else if (this.stale) this.settle();
      }
    });
    return row;
  }

  clamp(p, v) {
    return Math.min(p.hi, Math.max(p.lo, Math.round(v / this.data.step) * this.data.step));
  }

  onKey(e, p) {
    const step = this.data.step;
    const page = Math.max((p.hi - p.lo) / 10, step); // as Streamlit's slider (React Aria)
    const v = this.values[p.name];
    const moves = {
      ArrowRight: v + step, ArrowUp: v + step, ArrowLeft: v - step, ArrowDown: v - step,
      PageUp: v + page, PageDown: v - page, Home: p.lo, End: p.hi,
    };
    if (!(e.key in moves)) return;
    e.preventDefault();
    let next = moves[e.key];
    if (e.shiftKey && e.key.startsWith("Arrow")) next = v + Math.sign(next - v) * page;
    next = Math.min(p.hi, Math.max(p.lo, Number(next.toFixed(10))));
    next = Number((Math.round(next / step) * step).toFixed(10));
    this.values[p.name] = next;
    this.dirty = true;
    this.showSlider(p.name);
    this.schedule();
    if (!e.repeat) {
      this.keyHeld = null;
      this.commit(p.name);
    } else {
      // a held key: preview every frame, commit at most every COMMIT_EVERY_MS
      this.keyHeld = p.name;
      const wait = this.lastCommit + COMMIT_EVERY_MS - performance.now();
      if (wait <= 0) this.commit(p.name);
      else this.pendingCommit = true;
    }
  }

  showSlider(name) {
    const s = this.inputs[name];
    if (!s) return;
    const v = this.values[name];
    if (s.locked) {
      const text = (v < 0 ? MINUS : "") + fmt(Math.abs(v), 4);
      s.value.textContent = "= " + text + " (locked)";
      s.spoken.textContent = s.spec.short + " = " + text + ", locked";
      return;
    }
    if (this.dragging !== name) s.input.value = String(v); // a dragged thumb is where the hand is
    s.value.textContent = sliderText(v);
    s.input.setAttribute("aria-valuetext", s.spec.short + ": " + sliderText(v));
  }

  // ---- commit to Python
  commit(name) {
    this.pendingCommit = false;
    this.lastCommit = performance.now();
    const v = this.values[name];
    const sent = name in this.unacked ? this.unacked[name].value : this.data.values[name];
    if (v === sent) {
      if (this.stale) this.settle();
      return;
    }
    this.seq += 1;
    this.unacked[name] = { value: v, seq: this.seq };
    const values = {};
    for (const n in this.unacked) values[n] = this.unacked[n].value;
    const detail = this.detail(this.preview || this.compute());
    window.dispatchEvent(new CustomEvent("expnet:commit", { detail }));
    this.root.dataset.committed = String(Number(this.root.dataset.committed || 0) + 1);
    this.setTrigger("commit", { values, seq: this.seq, id: this.id });
  }

  // ---- preview
  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  compute() {
    const d = this.data;
    const net = ExpnetEngine.networkFrom(d.shape, this.values, d.ySymbol);
    return { net, tr: ExpnetEngine.run(net, d.decimals) };
  }

  detail(preview) {
    const { net, tr } = preview;
    const grad = {};
    for (const name of ExpnetEngine.gradientNames(net)) {
      grad[name] = ExpnetEngine.gradNumber(tr, name, net.yValue);
    }
    const values = {};
    for (const name in this.values) values[name] = this.values[name];
    return { values, J: tr.loss, grad };
  }

  draw() {
    this.frame = 0;
    if (!this.dirty) return;
    const preview = this.compute();
    this.preview = preview;
    this.frames += 1;
    this.root.dataset.frames = String(this.frames);
    this.root.dataset.source = "preview";
    if (this.readouts) this.showReadouts(preview);
    window.dispatchEvent(new CustomEvent("expnet:preview", { detail: this.detail(preview) }));
    // After this frame is painted (a task queued from an animation frame runs after its
    // rendering): mark the time for bench/drag.py, then redraw the diagram, so the readouts
    // never wait for Plotly.
    if (!this.afterPaint) {
      this.afterPaint = true;
      setTimeout(() => {
        this.afterPaint = false;
        performance.mark("expnet:preview-painted");
        if (this.plot && this.figure && window.Plotly) {
          this.drawFigure(patchFigure(this.figure, this.values, this.preview));
        }
      }, 0);
    }
  }

  showReadouts({ net, tr }) {
    const d = this.data;
    const dec = d.decimals == null ? 4 : d.decimals;
    d.readouts.forEach((r, i) => {
      let text;
      if (r.kind === "p") text = fixed(tr.p[r.k], dec);
      else if (r.kind === "J") text = tr.loss == null ? "J(y)" : fixed(tr.loss, dec);
      else if (tr.gradient) text = fmt(ExpnetEngine.pick(tr.gradient, r.name), 4);
      else {
        const [c, coefs] = ExpnetEngine.gradAffine(tr, r.name);
        text = affineText(c, coefs, d.yNames, 4);
      }
      this.readouts[i].value.textContent = text;
    });
  }

  drawFigure(fig) {
    if (!window.Plotly || !this.plot) return;
    this.drawnKey = lookKey(fig);
    this.drawnHover = JSON.stringify(fig.data.map((t) => (t.hovertext === undefined ? null : t.hovertext)));
    this.pendingHover = null;
    // the container's CSS decides the height (smaller on a phone); Plotly gets a copy, as it
    // writes defaults (uid, axis types) into what it is given and the core's figure is kept
    fig = structuredClone(fig);
    fig.layout.height = this.plot.clientHeight || fig.layout.height;
    this.plotBound = true;
    window.Plotly.react(this.plot, fig.data, fig.layout, this.data.plotConfig);
  }

  /** A tap or click on a weight's label or a unit chooses its chain rule. Found from the
   * drawn points under the pointer, not from plotly_click: Plotly reports the point of its
   * last hover, which a click made just after a redraw (a commit's answer) has not yet
   * replaced, so that click chose the previous point again. Plotly sends the click itself
   * once a press ends without a drag; after a touch it carries no position, and the press's
   * is used. */
  onTap(e) {
    const at = e.clientX || e.clientY ? { x: e.clientX, y: e.clientY } : this.press;
    this.press = null;
    const name = at && this.pointAt(at.x, at.y);
    if (name) this.setTrigger("focus", name);
  }

  /** The name (W…, b…, x…) of the drawn marker nearest (clientX, clientY), if the point lies
   * on it (or within 4 px of its edge). */
  pointAt(x, y) {
    let best = null;
    let bestDistance = Infinity;
    this.plot.querySelectorAll(".scatterlayer .trace").forEach((trace, k) => {
      const cd = trace.__data__;
      const index = cd && cd[0] && cd[0].trace ? cd[0].trace.index : k;
      const names = this.figure && this.figure.data[index] && this.figure.data[index].customdata;
      if (!names) return;
      trace.querySelectorAll(".points path").forEach((path, i) => {
        const at = path.__data__ && Number.isInteger(path.__data__.i) ? path.__data__.i : i;
        const name = names[at];
        if (typeof name !== "string" || !/^[Wbx]/.test(name)) return;
        const r = path.getBoundingClientRect();
        const distance = Math.hypot(x - (r.left + r.width / 2), y - (r.top + r.height / 2));
        if (distance <= Math.max(r.width, r.height) / 2 + 4 && distance < bestDistance) {
          best = name;
          bestDistance = distance;
        }
      });
    });
    return best;
  }
}

export default function ({ data, parentElement, setTriggerValue }) {
  instanceFor(INSTANCES, parentElement, (el) => new LiveNetwork(el)).update(data, setTriggerValue);
  return () => {};
}
