/*
 * expnet preview engine: the forward and backward pass of a small network, in the browser.
 *
 * THIS IS A PREVIEW. The NumPy core (expnet/trace.py) is the authority: the widget shows
 * these numbers only while a slider moves, and replaces every one of them by the core's
 * after each commit. tests/browser/test_engine_parity.py runs this file in Chromium on
 * hundreds of random networks against the core (relative difference <= 1e-12, identical
 * strings when rounding as by hand).
 *
 * It mirrors expnet.trace.trace step by step: a(0) = x, z(l) = W(l) a(l-1) + b(l),
 * a(l) = f_l(z(l)), p = a(L); dJ/dp_k = c_k + d_k y_k; δ(L) = dJ/dp ⊙ f_L'(z(L)),
 * δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ f_l'(z(l)); dJ/dW(l) = δ(l) a(l-1)ᵀ, dJ/db(l) = δ(l),
 * dJ/dx = W(1)ᵀ δ(1). With `decimals` = k every x, z and a is rounded to k decimals as by
 * hand and carried on; derivatives that are not polynomials in (z, a) (softplus' σ(z),
 * the Poisson and cross-entropy dJ/dp parts) are rounded too. A softmax output acts on
 * the whole layer: δ(L) = p ⊙ (dJ/dp − Σ_k p_k dJ/dp_k). Rounding "as by hand": the
 * number's shortest round-trip decimal (Number.prototype.toString, like Python's repr),
 * rounded in decimal, half away from zero.
 *
 * An L2 penalty λ (net.l2, as the Train page sets it) adds (λ/2) Σ ‖W(l)‖² to J and λW(l)
 * to dJ/dW(l) (to the constant part while y is a symbol), as expnet.trace(..., l2=λ).
 *
 * `grid` evaluates J and the gradient of two named values over a whole plane at once, as
 * typed arrays, with the grey cells of expnet.batch.evaluate_batch (e^z overflowed, loss
 * undefined): the map's preview. tests/browser/test_grid_parity.py compares it with the
 * core's batch on random planes (relative difference <= 1e-12 per cell, the same grey cells).
 *
 * Network: {sizes, layers: [{W: [[...]], b: [...], activation}], loss, x: [...],
 *           y: [...] | null, l2?: λ}. Indices are 0-based here; names (W2_11 ...) are 1-based.
 */
var ExpnetEngine = (function () {
  "use strict";

  // ---------------------------------------------------------------- rounding as by hand

  /** x rounded to k decimals: its shortest decimal representation, rounded half away
   *  from zero in decimal (Python: Decimal(repr(x)).quantize(1e-k, ROUND_HALF_UP)). */
  function roundHalfAway(x, k) {
    if (!Number.isFinite(x) || x === 0) return x;
    var text = Math.abs(x).toString(); // "123.45", "1.5e-7", "1e+21"
    var exp = 0;
    var e = text.indexOf("e");
    if (e >= 0) {
      exp = parseInt(text.slice(e + 1), 10);
      text = text.slice(0, e);
    }
    var dot = text.indexOf(".");
    if (dot >= 0) {
      exp -= text.length - dot - 1;
      text = text.slice(0, dot) + text.slice(dot + 1);
    }
    // |x| = int(text) * 10^exp exactly (as decimals)
    var drop = -k - exp; // digits to remove from the right
    if (drop <= 0) return x;
    var keep = drop >= text.length ? "0" : text.slice(0, text.length - drop);
    var next = drop > text.length ? 0 : text.charCodeAt(text.length - drop) - 48;
    if (next >= 5) {
      var digits = keep.split("");
      var i = digits.length - 1;
      while (i >= 0 && digits[i] === "9") digits[i--] = "0";
      if (i < 0) digits.unshift("1");
      else digits[i] = String.fromCharCode(digits[i].charCodeAt(0) + 1);
      keep = digits.join("");
    }
    var magnitude = Number(keep + "e" + -k);
    return x < 0 ? -magnitude : magnitude;
  }

  // ---------------------------------------------------------------- activations

  function sigmoid(z) {
    var e = Math.exp(-Math.abs(z));
    return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  }

  /** softmax of a layer, shifted by its largest z so e^z never overflows (as the core). */
  function softmax(z) {
    var top = Math.max.apply(null, z);
    var e = z.map(function (v) { return Math.exp(v - top); });
    var s = 0;
    for (var k = 0; k < e.length; k++) s += e[k];
    return e.map(function (v) { return v / s; });
  }

  // f(z), f'(z, a), derivative is a polynomial in (z, a) (then not rounded again); softmax
  // acts on the whole layer: its f' is the diagonal p_k(1 - p_k) and δ uses VJP below
  var ACTIVATIONS = {
    sigmoid: [sigmoid, function (z, a) { return a * (1.0 - a); }, true],
    tanh: [Math.tanh, function (z, a) { return 1.0 - a * a; }, true],
    relu: [function (z) { return Math.max(z, 0.0); }, function (z) { return z > 0 ? 1.0 : 0.0; }, true],
    identity: [function (z) { return z + 0.0; }, function () { return 1.0; }, true],
    exp: [Math.exp, function (z, a) { return a; }, true],
    softplus: [
      function (z) { return Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0.0); },
      function (z) { return sigmoid(z); },
      false,
    ],
    softmax: [null, function (z, a) { return a * (1.0 - a); }, true],
  };

  /** δ of a softmax output: δ_j = p_j (g_j − Σ_k p_k g_k), the core's vector-Jacobian product. */
  function softmaxVjp(p, g) {
    var s = 0;
    for (var k = 0; k < p.length; k++) s += p[k] * g[k];
    return p.map(function (pj, j) { return pj * (g[j] - s); });
  }

  // ---------------------------------------------------------------- losses

  function xlogy(y, p) { return y === 0 ? 0.0 : y * Math.log(p); }

  // value(p, y) summed over k; (c_k, d_k) with dJ/dp_k = c_k + d_k y_k; c, d polynomial in p
  var LOSSES = {
    half_squared_error: [
      function (p, y) { var s = 0; for (var k = 0; k < p.length; k++) { var r = p[k] - y[k]; s += r * r; } return 0.5 * s; },
      function (p) { return [p + 0.0, -1.0]; },
      true,
    ],
    poisson_nll: [
      function (p, y) { var s = 0; for (var k = 0; k < p.length; k++) s += p[k] - xlogy(y[k], p[k]); return s; },
      function (p) { return [1.0, -1.0 / p]; },
      false,
    ],
    binary_cross_entropy: [
      function (p, y) { var s = 0; for (var k = 0; k < p.length; k++) s += xlogy(y[k], p[k]) + xlogy(1.0 - y[k], 1.0 - p[k]); return -s; },
      function (p) { return [1.0 / (1.0 - p), -1.0 / (p * (1.0 - p))]; },
      false,
    ],
    cross_entropy: [
      function (p, y) { var s = 0; for (var k = 0; k < p.length; k++) s += xlogy(y[k], p[k]); return -s; },
      function (p) { return [0.0, -1.0 / p]; },
      false,
    ],
  };

  // ---------------------------------------------------------------- the pass

  function backprop(net, a, slope, seed) {
    var L = net.layers.length;
    var delta = new Array(L);
    delta[L - 1] = net.layers[L - 1].activation === "softmax"
      ? softmaxVjp(a[L], seed)
      : seed.map(function (g, k) { return g * slope[L - 1][k]; });
    for (var l = L - 2; l >= 0; l--) {
      var W = net.layers[l + 1].W;
      delta[l] = slope[l].map(function (s, i) {
        var t = 0;
        for (var j = 0; j < W.length; j++) t += W[j][i] * delta[l + 1][j];
        return t * s;
      });
    }
    var dW = delta.map(function (d, l) {
      return d.map(function (dj) { return a[l].map(function (ai) { return dj * ai; }); });
    });
    var W1 = net.layers[0].W;
    var dx = a[0].map(function (_, i) {
      var t = 0;
      for (var j = 0; j < W1.length; j++) t += W1[j][i] * delta[0][j];
      return t;
    });
    return { delta: delta, dW: dW, db: delta, dx: dx };
  }

  /** The trace of `net`; `decimals` null for exact arithmetic, k to round as by hand. */
  function run(net, decimals) {
    var r = decimals == null ? function (v) { return v; } : function (v) { return roundHalfAway(v, decimals); };
    var a = [net.x.map(r)];
    var z = [];
    var slope = [];
    net.layers.forEach(function (layer) {
      var act = ACTIVATIONS[layer.activation];
      var prev = a[a.length - 1];
      var zl = layer.W.map(function (row, j) {
        var s = 0;
        for (var i = 0; i < row.length; i++) s += row[i] * prev[i];
        return r(s + layer.b[j]);
      });
      var al = (act[0] ? zl.map(act[0]) : softmax(zl)).map(r);
      var sl = zl.map(function (v, j) { var s = act[1](v, al[j]); return act[2] ? s : r(s); });
      z.push(zl);
      a.push(al);
      slope.push(sl);
    });
    var loss = LOSSES[net.loss];
    var p = a[a.length - 1];
    var c = [];
    var d = [];
    p.forEach(function (pk) {
      var cd = loss[1](pk);
      c.push(loss[2] ? cd[0] : r(cd[0]));
      d.push(loss[2] ? cd[1] : r(cd[1]));
    });
    var affine = {
      "const": backprop(net, a, slope, c),
      per_output: p.map(function (_, k) {
        return backprop(net, a, slope, p.map(function (_, m) { return m === k ? d[k] : 0.0; }));
      }),
    };
    var J = null;
    var gradient = null;
    var l2 = net.l2 || 0;
    if (net.y != null) {
      J = loss[0](p, net.y) + penalty(net.layers.map(function (layer) { return layer.W; }), l2);
      gradient = backprop(net, a, slope, c.map(function (ck, k) { return ck + d[k] * net.y[k]; }));
      if (l2) withPenalty(gradient, net, l2);
    }
    if (l2) withPenalty(affine["const"], net, l2);
    return { z: z, a: a, p: p, slope: slope, c: c, d: d, loss: J, gradient: gradient, affine: affine };
  }

  /** (λ/2) Σ_l ‖W(l)‖² over the weight matrices `Ws`: the L2 term of J, on the weights only
   *  (expnet.losses.l2_penalty). */
  function penalty(Ws, l2) {
    if (!l2) return 0.0;
    var s = 0.0;
    for (var l = 0; l < Ws.length; l++) {
      for (var j = 0; j < Ws[l].length; j++) {
        for (var i = 0; i < Ws[l][j].length; i++) s += Ws[l][j][i] * Ws[l][j][i];
      }
    }
    return 0.5 * l2 * s;
  }

  /** g.dW += λW, in place (products are not rounded). */
  function withPenalty(g, net, l2) {
    g.dW = g.dW.map(function (dWl, l) {
      return dWl.map(function (row, j) {
        return row.map(function (v, i) { return v + l2 * net.layers[l].W[j][i]; });
      });
    });
  }

  // ---------------------------------------------------------------- J over a plane

  /** Largest z for which e^z is finite (expnet.activations.EXP_OVERFLOW_Z). */
  var EXP_OVERFLOW_Z = Math.log(Number.MAX_VALUE);

  // ∂J/∂y_k for a plane over the target (the core's Loss.grad_y)
  var GRAD_Y = {
    half_squared_error: function (p, y) { return y - p; },
    poisson_nll: function (p) { return -Math.log(p); },
    binary_cross_entropy: function (p) { return Math.log(1.0 - p) - Math.log(p); },
    cross_entropy: function (p) { return -Math.log(p); },
  };

  // (p, y) outside the loss's domain, output by output (the core's _domain_mask)
  var OUTSIDE = {
    half_squared_error: function () { return false; },
    poisson_nll: function (p, y) { return p <= 0 || y < 0; },
    binary_cross_entropy: function (p, y) { return p <= 0 || p >= 1 || y < 0 || y > 1; },
    cross_entropy: function (p, y) { return p <= 0 || p > 1 || y < 0; },
  };

  /** Where a named value lives in `net`: {kind: W|b|x|y, layer, row, col}, 0-based. */
  function locate(net, name) {
    var m = /^(?:W(\d+)_(\d)(\d)|b(\d+)_(\d+)|x(\d+)|y(\d*))$/.exec(name);
    var K = net.sizes[net.sizes.length - 1];
    var ref = null;
    if (m && m[1]) ref = { kind: "W", layer: +m[1] - 1, row: +m[2] - 1, col: +m[3] - 1 };
    else if (m && m[4]) ref = { kind: "b", layer: +m[4] - 1, row: +m[5] - 1, col: 0 };
    else if (m && m[6]) ref = { kind: "x", layer: -1, row: +m[6] - 1, col: 0 };
    else if (m && (m[7] === "" ? K === 1 : K > 1)) {
      ref = { kind: "y", layer: -1, row: m[7] === "" ? 0 : +m[7] - 1, col: 0 };
    }
    var n = ref && (ref.kind === "W" || ref.kind === "b") ? net.sizes[ref.layer + 1] : 0;
    var ok = ref && (
      ref.kind === "W" ? ref.layer >= 0 && ref.layer < net.layers.length && ref.row >= 0 &&
        ref.row < n && ref.col >= 0 && ref.col < net.sizes[ref.layer]
      : ref.kind === "b" ? ref.layer >= 0 && ref.layer < net.layers.length && ref.row >= 0 && ref.row < n
      : ref.kind === "x" ? ref.row >= 0 && ref.row < net.sizes[0]
      : ref.row >= 0 && ref.row < K);
    if (!ok) throw new Error("parameter " + name + " does not exist in this network");
    return ref;
  }

  /**
   * J and ∂J/∂names over the plane (names[0], names[1]): `u` runs along names[0] (columns),
   * `v` along names[1] (rows), so cell r * u.length + c is (u[c], v[r]), the core's image
   * order (expnet.batch.grid_values). Everything else comes from `net` (y numeric), and
   * net.l2 = λ adds (λ/2) Σ ‖W‖² to J and λW to ∂J/∂W. The preview of
   * expnet.batch.evaluate_batch, step by step, with its grey cells:
   *   overflow: some e^z of an exp layer has z > EXP_OVERFLOW_Z, some a is not finite, or
   *             J is not finite where the loss is defined; J = Infinity there;
   *   undefined: not overflow, and (p, y) is outside the loss's domain or a gradient is not
   *              finite; J = NaN there.
   * Returns {loss, gradU, gradV: Float64Array, overflow, undefined: Uint8Array}, each of
   * u.length * v.length cells (gradients as computed, also in grey cells).
   */
  function grid(net, names, u, v) {
    if (names[0] === names[1]) throw new Error("choose two different parameters");
    var refs = [locate(net, names[0]), locate(net, names[1])];
    var L = net.layers.length;
    var sizes = net.sizes;
    var K = sizes[L];
    var W = net.layers.map(function (layer) { return layer.W.map(function (row) { return row.slice(); }); });
    var b = net.layers.map(function (layer) { return layer.b.slice(); });
    var y = net.y == null ? null : net.y.slice();
    var a = [net.x.slice()];
    var z = [];
    var slope = [];
    var delta = [];
    for (var l = 0; l < L; l++) {
      a.push(new Float64Array(sizes[l + 1]));
      z.push(new Float64Array(sizes[l + 1]));
      slope.push(new Float64Array(sizes[l + 1]));
      delta.push(new Float64Array(sizes[l + 1]));
    }
    var hasY = refs[0].kind === "y" || refs[1].kind === "y";
    if (y == null && !hasY) throw new Error("the loss needs a numeric target y");
    if (y == null) y = new Array(K).fill(0.0);
    var acts = net.layers.map(function (layer) { return ACTIVATIONS[layer.activation]; });
    var loss = LOSSES[net.loss];
    var gradY = GRAD_Y[net.loss];
    var outside = OUTSIDE[net.loss];
    var softmaxOut = net.layers[L - 1].activation === "softmax";
    var l2 = net.l2 || 0;
    var g = new Float64Array(K); // ∂J/∂p
    var nu = u.length;
    var nv = v.length;
    var out = {
      loss: new Float64Array(nu * nv),
      gradU: new Float64Array(nu * nv),
      gradV: new Float64Array(nu * nv),
      overflow: new Uint8Array(nu * nv),
      undefined: new Uint8Array(nu * nv),
    };

    function set(ref, value) {
      if (ref.kind === "W") W[ref.layer][ref.row][ref.col] = value;
      else if (ref.kind === "b") b[ref.layer][ref.row] = value;
      else if (ref.kind === "x") a[0][ref.row] = value;
      else y[ref.row] = value;
    }

    function gradOf(ref, value) {
      if (ref.kind === "W") return delta[ref.layer][ref.row] * a[ref.layer][ref.col] + (l2 ? l2 * value : 0);
      if (ref.kind === "b") return delta[ref.layer][ref.row];
      if (ref.kind === "x") {
        var t = 0;
        for (var j = 0; j < sizes[1]; j++) t += W[0][j][ref.row] * delta[0][j];
        return t;
      }
      return gradY(a[L][ref.row], y[ref.row]);
    }

    for (var r = 0; r < nv; r++) {
      for (var c = 0; c < nu; c++) {
        var cell = r * nu + c;
        set(refs[0], u[c]);
        set(refs[1], v[r]);
        var overflow = false;
        for (l = 0; l < L; l++) {
          var act = acts[l];
          var prev = a[l];
          var Wl = W[l];
          var zl = z[l];
          var al = a[l + 1];
          var n = zl.length;
          for (var j = 0; j < n; j++) {
            var s = 0;
            for (var i = 0; i < prev.length; i++) s += Wl[j][i] * prev[i];
            zl[j] = s + b[l][j];
            if (act === ACTIVATIONS.exp && zl[j] > EXP_OVERFLOW_Z) overflow = true;
          }
          if (act[0]) {
            for (j = 0; j < n; j++) al[j] = act[0](zl[j]);
          } else {
            var top = zl[0]; // NaN if any z is (np.max)
            for (j = 1; j < n; j++) top = Math.max(top, zl[j]);
            var sum = 0;
            for (j = 0; j < n; j++) { al[j] = Math.exp(zl[j] - top); sum += al[j]; }
            for (j = 0; j < n; j++) al[j] = al[j] / sum;
          }
          for (j = 0; j < n; j++) {
            if (!Number.isFinite(al[j])) overflow = true;
            slope[l][j] = act[1](zl[j], al[j]);
          }
        }
        var p = a[L];
        var J = loss[0](p, y);
        var bad = false;
        for (var k = 0; k < K; k++) {
          var cd = loss[1](p[k]);
          g[k] = cd[0] + cd[1] * y[k];
          if (outside(p[k], y[k])) bad = true;
        }
        if (softmaxOut) {
          var pg = 0;
          for (k = 0; k < K; k++) pg += p[k] * g[k];
          for (k = 0; k < K; k++) delta[L - 1][k] = p[k] * (g[k] - pg);
        } else {
          for (k = 0; k < K; k++) delta[L - 1][k] = g[k] * slope[L - 1][k];
        }
        for (l = L - 2; l >= 0; l--) {
          var Wn = W[l + 1];
          for (i = 0; i < sizes[l + 1]; i++) {
            var t = 0;
            for (j = 0; j < Wn.length; j++) t += Wn[j][i] * delta[l + 1][j];
            delta[l][i] = t * slope[l][i];
          }
        }
        var du = gradOf(refs[0], u[c]);
        var dv = gradOf(refs[1], v[r]);
        if (l2) J += penalty(W, l2);
        overflow = overflow || (!bad && !Number.isFinite(J));
        var undef = !overflow && (bad || !Number.isFinite(du) || !Number.isFinite(dv));
        out.loss[cell] = overflow ? Infinity : undef ? NaN : J;
        out.gradU[cell] = du;
        out.gradV[cell] = dv;
        out.overflow[cell] = overflow ? 1 : 0;
        out.undefined[cell] = undef ? 1 : 0;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- descent

  /** The largest |value| a parameter may take (expnet.network.MAX_ABS_VALUE). */
  var MAX_ABS_VALUE = 1e6;

  /**
   * One optimizer step on θ (an array) with gradient g, as expnet.optimizers.Optimizer.step
   * (PyTorch's definitions, momentum in the velocity form v = −η b): `rule` {name, lr,
   * momentum, alpha, beta1, beta2, eps}; `state` {t, a, b}: the steps taken and the buffers
   * (velocity v; RMSprop's s; Adam's m and v), updated in place. Returns the new θ.
   */
  function optimizerStep(rule, theta, g, state) {
    state.t += 1;
    var lr = rule.lr, out = new Array(theta.length);
    for (var i = 0; i < theta.length; i++) {
      if (rule.name === "sgd") {
        out[i] = theta[i] - lr * g[i];
      } else if (rule.name === "momentum" || rule.name === "nesterov") {
        var mu = rule.momentum;
        var v = mu * state.a[i] - lr * g[i];
        state.a[i] = v;
        out[i] = rule.name === "momentum" ? theta[i] + v : theta[i] + (mu * v - lr * g[i]);
      } else if (rule.name === "rmsprop") {
        var s = rule.alpha * state.a[i] + (1 - rule.alpha) * g[i] * g[i];
        state.a[i] = s;
        out[i] = theta[i] - lr * g[i] / (Math.sqrt(s) + rule.eps);
      } else { // adam
        var m = rule.beta1 * state.a[i] + (1 - rule.beta1) * g[i];
        var w = rule.beta2 * state.b[i] + (1 - rule.beta2) * g[i] * g[i];
        state.a[i] = m;
        state.b[i] = w;
        var mHat = m / (1 - Math.pow(rule.beta1, state.t));
        var vHat = w / (1 - Math.pow(rule.beta2, state.t));
        out[i] = theta[i] - lr * mHat / (Math.sqrt(vHat) + rule.eps);
      }
    }
    return out;
  }

  /**
   * One descent per rule over the plane `names` from `start` ([u, v]), `steps` steps, as
   * expnet.descent.descend_paths: J and its gradient from grid() at each point; a path whose
   * J is grey (overflow or undefined) stops at its last valid point ("diverged"), one whose
   * value leaves ±MAX_ABS_VALUE stops before it ("too large"). Returns [{points: [[u, v],
   * ...], loss: [...], stopped: null | "diverged" | "too large"}] per rule.
   */
  function descend(net, names, start, rules, steps) {
    var at = function (p) { return grid(net, names, [p[0]], [p[1]]); };
    var first = at(start);
    return rules.map(function (rule) {
      var theta = [start[0], start[1]];
      var g = first;
      var path = { points: [theta], loss: [g.loss[0]], stopped: null };
      if (g.overflow[0] || g.undefined[0]) { path.stopped = "diverged"; return path; }
      var state = { t: 0, a: [0, 0], b: [0, 0] };
      for (var k = 0; k < steps; k++) {
        theta = optimizerStep(rule, theta, [g.gradU[0], g.gradV[0]], state);
        if (Math.abs(theta[0]) > MAX_ABS_VALUE || Math.abs(theta[1]) > MAX_ABS_VALUE) {
          path.stopped = "too large";
          break;
        }
        g = at(theta);
        if (g.overflow[0] || g.undefined[0]) { path.stopped = "diverged"; break; }
        path.points.push(theta);
        path.loss.push(g.loss[0]);
      }
      return path;
    });
  }

  // ---------------------------------------------------------------- names

  var NAME = /^(?:W(\d+)_(\d)(\d)|b(\d+)_(\d+)|x(\d+))$/;

  /** One gradient by canonical name (W2_11, b1_2, x1) from a Gradient. */
  function pick(g, name) {
    var m = NAME.exec(name);
    if (!m) return null;
    if (m[1]) return g.dW[+m[1] - 1][+m[2] - 1][+m[3] - 1];
    if (m[4]) return g.db[+m[4] - 1][+m[5] - 1];
    return g.dx[+m[6] - 1];
  }

  /** Every trainable name and input of `net`, in the core's order (parameter_names). */
  function gradientNames(net) {
    var names = [];
    net.layers.forEach(function (layer, l) {
      layer.W.forEach(function (row, j) {
        row.forEach(function (_, i) { names.push("W" + (l + 1) + "_" + (j + 1) + (i + 1)); });
      });
      layer.b.forEach(function (_, j) { names.push("b" + (l + 1) + "_" + (j + 1)); });
    });
    net.x.forEach(function (_, i) { names.push("x" + (i + 1)); });
    return names;
  }

  /** {name: [const, [coef_1..coef_K]]}: dJ/dname = const + Σ coef_k y_k. */
  function gradAffine(tr, name) {
    return [pick(tr.affine["const"], name), tr.affine.per_output.map(function (g) { return pick(g, name); })];
  }

  /** dJ/dname as a number; with y a symbol, evaluated at `yValue` (null if not given). */
  function gradNumber(tr, name, yValue) {
    if (tr.gradient) return pick(tr.gradient, name);
    if (!yValue) return null;
    var ca = gradAffine(tr, name);
    var s = ca[0];
    ca[1].forEach(function (coef, k) { s += coef * yValue[k]; });
    return s;
  }

  /** A network from the widget's plain description and its values by canonical name. */
  function networkFrom(shape, values, ySymbol) {
    var sizes = shape.sizes;
    var layers = shape.activations.map(function (act, l) {
      var W = [];
      var b = [];
      for (var j = 0; j < sizes[l + 1]; j++) {
        var row = [];
        for (var i = 0; i < sizes[l]; i++) row.push(values["W" + (l + 1) + "_" + (j + 1) + (i + 1)]);
        W.push(row);
        b.push(values["b" + (l + 1) + "_" + (j + 1)]);
      }
      return { W: W, b: b, activation: act };
    });
    var K = sizes[sizes.length - 1];
    var x = [];
    for (var i = 0; i < sizes[0]; i++) x.push(values["x" + (i + 1)]);
    var y = [];
    for (var k = 0; k < K; k++) y.push(values[K === 1 ? "y" : "y" + (k + 1)]);
    return {
      sizes: sizes, layers: layers, loss: shape.loss, x: x, y: ySymbol ? null : y, yValue: y,
      l2: shape.l2 || 0,
    };
  }

  return {
    roundHalfAway: roundHalfAway,
    run: run,
    pick: pick,
    gradientNames: gradientNames,
    gradAffine: gradAffine,
    gradNumber: gradNumber,
    networkFrom: networkFrom,
    grid: grid,
    penalty: penalty,
    optimizerStep: optimizerStep,
    descend: descend,
    EXP_OVERFLOW_Z: EXP_OVERFLOW_Z,
    ACTIVATIONS: Object.keys(ACTIVATIONS),
    LOSSES: Object.keys(LOSSES),
  };
})();
