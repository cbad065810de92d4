/*
 * The diagram's preview: the core's figure (expnet/figures/network.py `network_spec`) with its
 * numbers replaced by the preview engine's. Every part is found by name (traces "weights",
 * "labels", "units", "loss", "flags"; an edge's shape is named after its weight) and every
 * edge is drawn with the figure's own style numbers (layout.meta.style), every flag with the
 * core's rule (layout.meta.flags: expnet/flags.py), so the server's builder is the one
 * source of how the diagram looks. tests/browser/test_diagram_parity.py checks, on
 * random networks, that the patched figure equals the server's.
 */

/** An edge's line from m = |its number| / the largest shown (network.edge_look). */
function edgeLook(style, mag, selected, marked) {
  if (selected) return { width: style.widthBase + style.widthScale * mag + style.selectedBonus, opacity: 1 };
  const width = style.widthBase + style.widthScale * mag;
  if (marked) return { width: width + style.markedBonus, opacity: 1 };
  return { width, opacity: style.minOpacity + (1 - style.minOpacity) * mag };
}

/** The mark beside hidden unit `unit` (b1_2 ...) by the core's rule (expnet/flags.py): a
 * sigmoid or tanh whose slope is below the threshold is saturated, a ReLU with z <= 0 dead;
 * "" when neither. */
function flagMark(rule, net, tr, unit) {
  const [, layer, j] = /^b(\d+)_(\d+)$/.exec(unit);
  const l = +layer - 1;
  const k = +j - 1;
  const kind = rule.watched[net.layers[l].activation];
  const on = kind === "saturated" ? tr.slope[l][k] < rule.saturation : kind === "dead" && tr.z[l][k] <= 0;
  return on ? rule.marks[kind] : "";
}

/** `figure` (the core's, left unchanged) with the numbers of `values` (every W, b, x, y by
 * name) and their preview `{net, tr}` (ExpnetEngine) in place of the core's. */
function patchFigure(figure, values, { net, tr }) {
  const meta = figure.layout.meta;
  const st = meta.style;
  const gradient = meta.view === "gradient";
  const yv = net.yValue;
  const short = (v, digits) => (v == null ? "?" : fmt(v, digits));
  const data = figure.data.map((t) => Object.assign({}, t));
  const part = (name) => data.find((t) => t.name === name);
  // edges: one label each in the trace "weights", one line each in the shapes of that name
  const edges = part("weights");
  const names = edges.customdata;
  const vals = names.map((n) => values[n]);
  const grads = names.map((n) => ExpnetEngine.gradNumber(tr, n, yv));
  const shown = gradient ? grads : vals;
  const wmax = Math.max(0, ...shown.filter((v) => v != null && Number.isFinite(v)).map(Math.abs)) || 1;
  const marked = new Set(meta.marked);
  const edgeAt = new Map(names.map((n, i) => [n, i]));
  edges.text = names.map((n, i) => short(shown[i], 3));
  const shapes = figure.layout.shapes.map((shape) => {
    const i = edgeAt.get(shape.name);
    if (i === undefined) return shape;
    const s = shown[i];
    const sel = shape.name === meta.selected;
    const mag = s != null && Number.isFinite(s) ? Math.abs(s) / wmax : 0;
    const look = edgeLook(st, mag, sel, marked.has(shape.name));
    const negative = (s || 0) < 0;
    const line = Object.assign({}, shape.line, {
      color: sel ? st.highlight : negative ? st.negative : st.positive,
      dash: negative ? st.negativeDash : "solid",
      width: Math.round(look.width * 100) / 100,
    });
    return Object.assign({}, shape, { line, opacity: Math.round(look.opacity * 100) / 100 });
  });
  // units: one marker each in "units" (customdata x1.., b1_1..), their z under them in "labels"
  const units = part("units");
  const labels = part("labels");
  const colour = [];
  const text = [];
  const below = labels.text.slice();
  units.customdata.forEach((unit, n) => {
    const [, kind, layer, j] = /^([xb])(\d+)(?:_(\d+))?$/.exec(unit);
    const l = kind === "x" ? 0 : +layer;
    const k = (kind === "x" ? +layer : +j) - 1;
    const a = tr.a[l][k];
    const delta = ExpnetEngine.gradNumber(tr, unit, yv);
    if (gradient) {
      colour.push(delta != null && Number.isFinite(delta) ? delta : 0);
      text.push(delta == null ? "δ(y)" : short(delta, 3));
    } else {
      colour.push(Number.isFinite(a) ? a : 0);
      text.push(short(a, 3));
    }
    if (l > 0) below[n] = below[n].replace(/ = [^=]*$/, " = " + short(tr.z[l - 1][k], 3));
  });
  const cmax = Math.max(0, ...colour.map(Math.abs)) || 1;
  units.text = text;
  units.marker = Object.assign({}, units.marker, { color: colour, cmin: -cmax, cmax });
  labels.text = below;
  part("loss").text = [tr.loss == null ? "J(y)" : short(tr.loss, 4)];
  const flags = part("flags");
  if (flags) flags.text = flags.customdata.map((unit) => flagMark(meta.flags, net, tr, unit));
  return { data, layout: Object.assign({}, figure.layout, { shapes }) };
}
