/*
 * Numbers as text in the browser, as the core writes them (expnet.symbols): `fmt` as
 * symbols.fmt, `affineText` as symbols.fmt_affine_text (const + coef·y). Shared by the live
 * widget's readouts and diagram (diagram.js, widget.js) and the computational graph's
 * preview (graph.js).
 */

// ---------------------------------------------------------------- formatting (as symbols.fmt)

function fmt(v, digits) {
  if (v == null || Number.isNaN(v)) return "undefined";
  if (v === Infinity) return "overflow";
  if (v === -Infinity) return "-overflow";
  if (v === 0) return "0";
  const e = Math.floor(Math.log10(Math.abs(v)));
  let text;
  if (e < -4 || e >= digits) {
    const [mant, exp] = v.toExponential(digits - 1).split("e");
    text = stripZeros(mant) + "e" + (exp[0] === "+" ? exp.slice(1) : exp);
  } else {
    text = stripZeros(v.toFixed(Math.max(0, digits - 1 - e)));
  }
  return text;
}

function stripZeros(text) {
  return text.indexOf(".") < 0 ? text : text.replace(/0+$/, "").replace(/\.$/, "");
}

/** const + Σ coef_k·y_k in plain text, as symbols.fmt_affine_text. */
function affineText(constant, coefs, yNames, digits) {
  const parts = constant !== 0 || !coefs.some((c) => c !== 0) ? [fmt(constant, digits)] : [];
  coefs.forEach((c, k) => {
    if (c === 0) return;
    const mag = Math.abs(c) === 1 ? "" : fmt(Math.abs(c), digits) + "·";
    if (parts.length) parts.push((c < 0 ? "\u2212" : "+") + " " + mag + yNames[k]);
    else parts.push((c < 0 ? "\u2212" : "") + mag + yNames[k]);
  });
  return parts.join(" ");
}
