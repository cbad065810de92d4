// Markdown blocks with maths (HTML made in Python, maths left as placeholders), typeset
// with the vendored KaTeX. A block whose HTML is unchanged keeps its DOM; an equation is
// typeset once per TeX string (a small cache), so a commit that changes a few numbers
// redraws a few equations, not the whole panel.

const PANELS = new WeakMap();
const CACHE = new Map(); // "d|tex" or "i|tex" -> KaTeX's HTML
const CACHE_SIZE = 4000;

function loadKatex(base) {
  if (!document.querySelector("link[data-expnet-katex]")) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = base + "/katex.min.css";
    link.dataset.expnetKatex = "1";
    document.head.appendChild(link);
  }
  return loadScript(base + "/katex.min.js", "katex");
}

function typeset(span) {
  const tex = span.dataset.tex;
  const display = span.classList.contains("xm-d");
  const key = (display ? "d|" : "i|") + tex;
  let out = CACHE.get(key);
  if (out === undefined) {
    out = window.katex.renderToString(tex, {
      displayMode: display, throwOnError: false, trust: false, output: "htmlAndMathml",
    });
    if (CACHE.size >= CACHE_SIZE) CACHE.delete(CACHE.keys().next().value);
    CACHE.set(key, out);
  }
  span.innerHTML = out;
  span.dataset.done = "1";
}

function fill(node) {
  for (const span of node.querySelectorAll(".xm:not([data-done])")) {
    if (window.katex) typeset(span);
    else span.textContent = span.dataset.tex; // until KaTeX has loaded
  }
}

class Panel {
  constructor(parent) {
    this.root = document.createElement("div");
    this.root.className = "xm-panel";
    // a region of its own: on a narrow screen it scrolls sideways, so keys must reach it
    this.root.setAttribute("role", "region");
    this.root.tabIndex = 0;
    parent.appendChild(this.root);
    this.nodes = []; // [{html, node}] in order
    this.updates = 0;
  }

  update(data) {
    this.data = data;
    this.root.setAttribute("aria-label", data.label || "Formulas");
    const old = new Map();
    for (const b of this.nodes) {
      if (!old.has(b.html)) old.set(b.html, []);
      old.get(b.html).push(b.node);
    }
    let drawn = 0;
    const next = data.blocks.map((html) => {
      const reuse = old.get(html);
      if (reuse && reuse.length) return { html, node: reuse.shift() };
      drawn += 1;
      const node = document.createElement("div");
      node.className = "xm-block";
      node.innerHTML = html;
      fill(node);
      return { html, node };
    });
    // put the blocks in order, touching only what moved
    let cursor = this.root.firstChild;
    for (const b of next) {
      if (b.node === cursor) cursor = cursor.nextSibling;
      else this.root.insertBefore(b.node, cursor);
    }
    while (cursor) {
      const gone = cursor;
      cursor = cursor.nextSibling;
      this.root.removeChild(gone);
    }
    this.nodes = next;
    this.updates += 1;
    this.root.dataset.updates = String(this.updates);
    this.root.dataset.drawn = String(drawn); // blocks drawn anew by this update (of blocks.length)
    if (!window.katex) {
      loadKatex(data.katex).then(() => {
        for (const b of this.nodes) {
          for (const span of b.node.querySelectorAll(".xm")) typeset(span);
        }
        this.root.dataset.typeset = "1";
      }, (err) => { this.root.dataset.error = String(err); });
    } else {
      this.root.dataset.typeset = "1";
    }
  }
}

export default function (component) {
  const { data, parentElement } = component;
  let panel = PANELS.get(parentElement);
  if (!panel) {
    panel = new Panel(parentElement);
    PANELS.set(parentElement, panel);
  }
  panel.update(data);
  return () => {};
}
