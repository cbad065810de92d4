/*
 * The Train page's data plot while paused (st.components.v2, mounted in the page): the data
 * over the model's output, drawn with Plotly.js; a click on it is sent to the server. See
 * __init__.py.
 *
 * Every click lands. Plotly's own click event needs the hover it computed on the last
 * pointer move, which a redraw clears: a click made soon after one was lost. So the click
 * is read from the pointer's place here: the place on the axes, and the data point drawn
 * within a few pixels of it, if any. Each click gets a number (one more than the last); the
 * state value "clicks" holds every click the server has not acknowledged yet, and the
 * server names the last one it has handled ("ack" in the data of its next run). A click
 * made while a run is under way is sent again with the next one, so the newest value
 * (Streamlit keeps only the newest value of a widget) still holds it; the server handles
 * each number once.
 */
const PLOTS = new WeakMap();
const NEAR = 10; // px: a click this close to a data point is on it

/** Row k of a trace's customdata as a list (a row of a 2D array, or one number). */
function row(custom, k) {
  if (custom == null || custom[k] == null) return null;
  const v = custom[k];
  return typeof v === "number" ? [v] : Array.from(v);
}

class DataPlot {
  constructor(parent) {
    this.box = document.createElement("div");
    this.box.className = "tp-click-plot";
    this.box.setAttribute("role", "img");
    parent.appendChild(this.box);
    this.seq = 0;
    this.pending = [];
    this.drawn = false;
    this.box.addEventListener("click", (e) => this.clicked(e), true);
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    this.seq = Math.max(this.seq, data.ack); // mounted again: go on from the server's count
    this.pending = this.pending.filter((c) => c.seq > data.ack);
    this.box.setAttribute("aria-label", data.label);
    this.box.style.height = data.figure.layout.height + "px";
    const layout = Object.assign({}, data.figure.layout, { clickmode: "none" });
    const config = { displayModeBar: false, responsive: true };
    loadScript(data.plotlyUrl, "Plotly").then(() => {
      Plotly.react(this.box, data.figure.data, layout, config);
      this.drawn = true;
    });
  }

  /** The click's place on the axes and the data point under it (or null), from the figure
   * as drawn. */
  at(event) {
    const fl = this.box._fullLayout;
    if (!this.drawn || !fl || !fl.xaxis || !fl.yaxis) return null;
    const r = this.box.getBoundingClientRect();
    const xa = fl.xaxis;
    const ya = fl.yaxis; // its own offset and length: the plane keeps x and y to one scale
    const px = event.clientX - r.left - xa._offset;
    const py = event.clientY - r.top - ya._offset;
    if (px < 0 || py < 0 || px > xa._length || py > ya._length) return null;
    const place = { x: xa.p2d(px), y: ya.p2d(py) };
    let best = null;
    let dist = NEAR;
    this.box._fullData.forEach((t, curve) => {
      if (t.meta !== "train" && t.meta !== "test") return;
      for (let k = 0; k < t.x.length; k++) {
        const d = Math.hypot(xa.d2p(t.x[k]) - px, ya.d2p(t.y[k]) - py);
        if (d <= dist) {
          dist = d;
          best = { curve, x: t.x[k], y: t.y[k], custom: row(t.customdata, k) };
        }
      }
    });
    return { place, point: best };
  }

  clicked(event) {
    const hit = this.at(event);
    if (!hit) return;
    this.seq += 1;
    this.pending.push({ seq: this.seq, place: hit.place, point: hit.point });
    this.setStateValue("clicks", this.pending.slice());
  }
}

export default function ({ data, parentElement, setStateValue }) {
  instanceFor(PLOTS, parentElement, (el) => new DataPlot(el)).update(data, setStateValue);
  return () => {};
}
