/*
 * The computational graph's preview: every node's value and ∂J/∂node and every edge's local
 * derivative, read from the preview engine's trace (engine.js), as expnet/teaching/graph.py
 * reads them from the core's Trace. THIS IS A PREVIEW: the graph follows a slider's drag with
 * these numbers, and the core's figure replaces them after the commit.
 * tests/browser/test_graph_parity.py runs it on random networks of every activation and loss,
 * L2 on and off, y numeric and a symbol, exact and as by hand, against the core's graph.
 *
 * A number that may depend on a symbolic y is {c, k}: c + Σ_k k[k]·y_k (k = [] for a plain
 * number), as expnet.teaching.quantities.Affine; null where it is not affine in y (the
 * square of p − y). Node ids and edge keys ("src>dst") are the core's.
 *
 * `patch` writes these numbers into the core's figure (expnet/figures/graph.py): each node's
 * text and hover, each local derivative's text and hover, found by their ids (customdata).
 */
var ExpnetGraph = (function () {
  "use strict";

  // ---------------------------------------------------------------- const + coef·y

  function A(c, k) { return { c: c, k: k || [] }; }
  var ONE = A(1.0);

  function scaled(v, f) { return A(v.c * f, v.k.map(function (x) { return x * f; })); }

  /** No part depends on y (a NaN coefficient counts as one, as Python's any()). */
  function constant(v) { return !v.k.some(function (x) { return x !== 0; }); }

  function padded(v, n) {
    if (v.k.length) return v.k;
    var out = [];
    for (var i = 0; i < n; i++) out.push(0.0);
    return out;
  }

  function add(u, v) {
    var n = Math.max(u.k.length, v.k.length);
    var pu = padded(u, n), pv = padded(v, n);
    return A(u.c + v.c, pu.map(function (x, i) { return x + pv[i]; }));
  }

  /** The product; null when both depend on y. */
  function mul(u, v) {
    if (!constant(u) && !constant(v)) return null;
    return constant(v) ? scaled(u, v.c) : scaled(v, u.c);
  }

  function sum(values) {
    var total = A(0.0);
    for (var i = 0; i < values.length; i++) {
      total = total === null || values[i] === null ? null : add(total, values[i]);
    }
    return total;
  }

  // ---------------------------------------------------------------- the graph

  /** {nodes: {id: {value, grad}}, edges: {"src>dst": local}} of `net` and its trace `tr`
   *  (ExpnetEngine.run(net, decimals)). */
  function graph(net, tr, decimals) {
    var nodes = {};
    var edges = {};
    var K = tr.p.length;
    var symbolic = !tr.gradient;
    function node(id, value, grad) { nodes[id] = { value: value, grad: grad }; return id; }
    function edge(src, dst, local) { edges[src + ">" + dst] = local; }
    function oneHot(k, v) {
      var out = [];
      for (var i = 0; i < K; i++) out.push(i === k ? v : 0.0);
      return out;
    }
    function gradOf(name) {
      if (!symbolic) return A(ExpnetEngine.pick(tr.gradient, name));
      var ca = ExpnetEngine.gradAffine(tr, name);
      return A(ca[0], ca[1]);
    }
    function delta(m) {
      if (!symbolic) return tr.gradient.delta[m].map(function (v) { return A(v); });
      var per = tr.affine.per_output.map(function (g) { return g.delta[m]; });
      return tr.affine["const"].delta[m].map(function (c, j) {
        return A(c, per.map(function (d) { return d[j]; }));
      });
    }
    function dJdp(k) { return symbolic ? A(tr.c[k], oneHot(k, tr.d[k])) : A(tr.c[k] + tr.d[k] * net.y[k]); }
    function yOf(k) { return symbolic ? A(0.0, oneHot(k, 1.0)) : A(net.y[k]); }
    function byHand(v) { return decimals == null ? v : ExpnetEngine.roundHalfAway(v, decimals); }

    // leaves, products, sums and activations
    var below = net.x.map(function (_, i) {
      return node("x" + (i + 1), A(tr.a[0][i]), gradOf("x" + (i + 1)));
    });
    var L = net.layers.length;
    net.layers.forEach(function (layer, m) {
      var d = delta(m);
      var zs = layer.W.map(function (row, j) {
        var zId = "z" + (m + 1) + "_" + (j + 1);
        row.forEach(function (w, i) {
          var wName = "W" + (m + 1) + "_" + (j + 1) + (i + 1);
          var ai = tr.a[m][i];
          node(wName, A(w), gradOf(wName));
          var prod = node(wName + "*" + below[i], A(w * ai), d[j]);
          edge(wName, prod, A(ai));
          edge(below[i], prod, A(w));
          edge(prod, zId, ONE);
        });
        var bName = "b" + (m + 1) + "_" + (j + 1);
        node(bName, A(layer.b[j]), gradOf(bName));
        node(zId, A(tr.z[m][j]), d[j]);
        edge(bName, zId, ONE);
        return zId;
      });
      var ups;
      if (m === L - 1) {
        ups = zs.map(function (_, k) { return dJdp(k); });
      } else {
        var next = net.layers[m + 1].W;
        var dNext = delta(m + 1);
        ups = zs.map(function (_, j) {
          return sum(dNext.map(function (dr, r) { return scaled(dr, next[r][j]); }));
        });
      }
      var outs = zs.map(function (zId, j) {
        var aId = node("a" + (m + 1) + "_" + (j + 1), A(tr.a[m + 1][j]), ups[j]);
        if (layer.activation !== "softmax") edge(zId, aId, A(tr.slope[m][j]));
        return aId;
      });
      if (layer.activation === "softmax") { // ∂p_k/∂z_j = p_k([k=j] − p_j)
        var p = tr.a[m + 1];
        outs.forEach(function (aId, k) {
          zs.forEach(function (zId, j) { edge(zId, aId, A(p[k] * ((k === j ? 1 : 0) - p[j]))); });
        });
      }
      below = outs;
    });

    // the loss's operations from p to J, and the L2 term
    var name = net.loss;
    var lam = net.l2 || 0;
    var top = lam ? "data" : "J";
    var outer = { half_squared_error: 0.5, poisson_nll: 1.0 }[name] || -1.0;
    var termGrad = A(outer);
    var terms = [];
    below.forEach(function (pk, k) {
      var p = tr.p[k], y = yOf(k);
      if (name === "half_squared_error") {
        var diff = add(A(p), scaled(y, -1.0));
        var dId = node("diff" + (k + 1), diff, diff);
        edge(pk, dId, ONE);
        var sq = mul(diff, diff);
        var sId = node("sq" + (k + 1), sq, termGrad);
        edge(dId, sId, scaled(diff, 2.0));
        terms.push([sId, sq]);
        return;
      }
      var logP = A(p > 0 ? Math.log(p) : NaN);
      var ylog = mul(y, logP);
      var logId = node("log" + (k + 1), logP, scaled(y, -1.0));
      edge(pk, logId, A(byHand(1.0 / p)));
      var ylId = node("ylog" + (k + 1), ylog, A(-1.0));
      edge(logId, ylId, y);
      var value, tId;
      if (name === "cross_entropy") {
        terms.push([ylId, ylog]);
      } else if (name === "poisson_nll") {
        value = ylog === null ? null : add(A(p), scaled(ylog, -1.0));
        tId = node("term" + (k + 1), value, termGrad);
        edge(pk, tId, ONE);
        edge(ylId, tId, A(-1.0));
        terms.push([tId, value]);
      } else { // binary_cross_entropy
        var q = 1.0 - p;
        var oneY = add(A(1.0), scaled(y, -1.0));
        var logQ = A(q > 0 ? Math.log(q) : NaN);
        var nlGrad = scaled(oneY, outer);
        var qId = node("onem" + (k + 1), A(q), scaled(nlGrad, byHand(1.0 / q)));
        edge(pk, qId, A(-1.0));
        var lqId = node("logq" + (k + 1), logQ, nlGrad);
        edge(qId, lqId, A(byHand(1.0 / q)));
        var ylq = mul(oneY, logQ);
        var ylqId = node("ylogq" + (k + 1), ylq, termGrad);
        edge(lqId, ylqId, oneY);
        value = ylog === null || ylq === null ? null : add(ylog, ylq);
        tId = node("term" + (k + 1), value, termGrad);
        edge(ylId, tId, ONE);
        edge(ylqId, tId, ONE);
        terms.push([tId, value]);
      }
    });
    var total = sum(terms.map(function (t) { return t[1]; }));
    var last = terms[0][0];
    if (K > 1 && name !== "poisson_nll") {
      last = node("sum", total, A(outer));
      terms.forEach(function (t) { edge(t[0], last, ONE); });
    }
    var data = total === null ? null : scaled(total, outer);
    if (tr.loss != null && !lam) data = A(tr.loss);
    node(top, data, ONE);
    var into = name !== "poisson_nll" || K === 1 ? [last] : terms.map(function (t) { return t[0]; });
    into.forEach(function (t) { edge(t, top, A(outer)); });
    if (lam) {
      var Ws = net.layers.map(function (layer) { return layer.W; });
      node("L2", A(ExpnetEngine.penalty(Ws, lam)), ONE);
      Ws.forEach(function (W, m) {
        W.forEach(function (row, j) {
          row.forEach(function (w, i) { edge("W" + (m + 1) + "_" + (j + 1) + (i + 1), "L2", A(lam * w)); });
        });
      });
      node("J", tr.loss == null ? null : A(tr.loss), ONE);
      edge(top, "J", ONE);
      edge("L2", "J", ONE);
    }
    return { nodes: nodes, edges: edges };
  }

  // ---------------------------------------------------------------- the figure

  /** A number as expnet.teaching.graph.text: (const + coef·y) in parentheses while y is a
   *  symbol; null is a value not affine in y. */
  function text(v, digits, yNames) {
    if (v === null) return "(a square in y, not affine)";
    if (constant(v)) return fmt(v.c, digits);
    return "(" + affineText(v.c, v.k, yNames, digits) + ")";
  }

  /** The core's `figure` (expnet/figures/graph.py) with the numbers of `g`; the core's is
   *  left unchanged. `yNames`: y alone, or y1, y2, … */
  function patch(figure, g, yNames) {
    var data = figure.data.map(function (t) {
      var ids = t.customdata;
      if (!ids || !t.text) return t;
      var out = Object.assign({}, t);
      if (t.name === "local derivatives") {
        out.text = ids.map(function (key) { return text(g.edges[key], 3, yNames); });
        out.hovertext = t.hovertext.map(function (h, i) {
          return h.replace(/ = [^=]*$/, " = " + text(g.edges[ids[i]], 6, yNames));
        });
        return out;
      }
      out.text = ids.map(function (id, i) {
        var v = g.nodes[id].value;
        return t.text[i].split("<br>")[0] + "<br>" + (v === null ? "in y" : text(v, 4, yNames));
      });
      out.hovertext = t.hovertext.map(function (h, i) {
        var n = g.nodes[ids[i]];
        return h.replace(/<br>value [\s\S]*$/, "<br>value " + text(n.value, 6, yNames) +
          "<br>∂J/∂node " + text(n.grad, 6, yNames));
      });
      return out;
    });
    return { data: data, layout: figure.layout };
  }

  return { graph: graph, patch: patch, text: text };
})();
