// Markdown blocks with maths, sent by Python as trees of known tags, text and maths nodes and
// built here with DOM calls; maths typeset with the vendored KaTeX. A block whose tree is
// unchanged keeps its DOM; an equation is typeset once per TeX string (a small cache of
// KaTeX's DOM, cloned), so a commit that changes a few numbers redraws a few equations.
//
// A block that fits the panel's width is rendered only near the screen (content-visibility:
// auto, panel.css): after a drag changes every number of a worked solution below the fold,
// its blocks are rebuilt but not laid out or painted until they are scrolled to. A block
// wider than the panel (a long equation on a phone) is marked xm-wide and drawn whole, as
// containment would clip it and the panel must scroll sideways to it. Which is which is
// read in a ResizeObserver, after layout and before paint.

const PANELS = new WeakMap();
const CACHE = new Map(); // "d|tex" or "i|tex" -> a span holding KaTeX's DOM
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

const TAGS = new Set(("p strong em code h1 h2 h3 h4 h5 h6 table thead tbody tr th td ul ol li " +
  "br hr blockquote").split(" "));

/** A maths node: KaTeX's DOM for its TeX (built once per TeX string, then cloned). */
function typeset(span) {
  const tex = span.dataset.tex;
  const display = span.classList.contains("xm-d");
  const key = (display ? "d|" : "i|") + tex;
  let built = CACHE.get(key);
  if (built === undefined) {
    built = document.createElement("span");
    window.katex.render(tex, built, {
      displayMode: display, throwOnError: false, trust: false, output: "htmlAndMathml",
    });
    if (CACHE.size >= CACHE_SIZE) CACHE.delete(CACHE.keys().next().value);
    CACHE.set(key, built);
  }
  span.replaceChildren(...Array.from(built.cloneNode(true).childNodes));
  span.dataset.done = "1";
}

/** The tree Python sent (text, {t, a, c} elements of known tags, {tex, d} maths) as DOM. */
function build(node, parent) {
  if (typeof node === "string") {
    parent.appendChild(document.createTextNode(node));
  } else if (node.tex !== undefined) {
    const span = document.createElement("span");
    span.className = node.d ? "xm xm-d" : "xm";
    span.dataset.tex = node.tex;
    if (window.katex) typeset(span);
    else span.textContent = node.tex; // until KaTeX has loaded
    parent.appendChild(span);
  } else if (TAGS.has(node.t)) {
    const el = document.createElement(node.t);
    if (node.a && typeof node.a.style === "string") el.setAttribute("style", node.a.style);
    (node.c || []).forEach((child) => build(child, el));
    parent.appendChild(el);
  }
}

const FITS = typeof ResizeObserver === "function"
  ? new ResizeObserver((entries) => {
    for (const entry of entries) {
      const block = entry.target;
      block.classList.toggle("xm-wide", block.scrollWidth > block.clientWidth + 1);
    }
  })
  : null;

class Panel {
  constructor(parent) {
    this.root = document.createElement("div");
    this.root.className = "xm-panel";
    // a region of its own: on a narrow screen it scrolls sideways, so keys must reach it
    this.root.setAttribute("role", "region");
    this.root.tabIndex = 0;
    parent.appendChild(this.root);
    this.nodes = []; // [{key, node}] in order; key: the block's tree as JSON
    this.updates = 0;
  }

  update(data) {
    this.data = data;
    this.root.setAttribute("aria-label", data.label || "Formulas");
    const old = new Map();
    for (const b of this.nodes) {
      if (!old.has(b.key)) old.set(b.key, []);
      old.get(b.key).push(b.node);
    }
    let drawn = 0;
    const next = data.blocks.map((tree) => {
      const key = JSON.stringify(tree); // the block's identity
      const reuse = old.get(key);
      if (reuse && reuse.length) return { key, node: reuse.shift() };
      drawn += 1;
      const node = document.createElement("div");
      node.className = FITS ? "xm-block xm-lazy" : "xm-block";
      tree.forEach((child) => build(child, node));
      if (FITS) FITS.observe(node);
      return { key, node };
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
      if (FITS) FITS.unobserve(gone);
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
