/*
 * The classroom's Previous and Next buttons, counted in the browser (st.components.v2,
 * mounted in the page). See __init__.py.
 *
 * A click on either button, or its shortcut (→, ←, as Streamlit's own shortcuts: not while
 * typing, no modifier), is caught in the capture phase before Streamlit sees it; the stage
 * the class is heading for moves on from the last one this page asked for, and goes to the
 * server as the state value "move". Until the server has applied our latest move, its stage
 * is older than ours and ours is kept.
 */
const COUNTERS = new WeakMap();
const BUTTONS = [
  [".st-key-cls_next button", 1, "ArrowRight"],
  [".st-key-cls_prev button", -1, "ArrowLeft"],
];
const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

function typing(event) {
  return (event.composedPath ? event.composedPath() : [event.target]).some(
    (el) => el && el.tagName && (TYPING.has(el.tagName) || el.isContentEditable),
  );
}

class Counter {
  constructor() {
    this.data = null;
    this.seq = 0;
    this.stage = 0;
    this.send = null;
    this.onClick = (event) => {
      for (const [selector, dir] of BUTTONS) {
        const button = event.target.closest && event.target.closest(selector);
        if (!button) continue;
        event.stopPropagation();
        event.preventDefault();
        if (!button.disabled) this.move(dir);
        return;
      }
    };
    this.onKey = (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || typing(event)) return;
      for (const [selector, dir, key] of BUTTONS) {
        if (event.key !== key) continue;
        const button = document.querySelector(selector);
        if (!button || button.disabled) return;
        event.stopPropagation();
        event.preventDefault();
        this.move(dir);
        return;
      }
    };
  }

  listen(on) {
    const method = on ? "addEventListener" : "removeEventListener";
    window[method]("click", this.onClick, true);
    window[method]("keydown", this.onKey, true);
  }

  update(data, setStateValue) {
    this.send = setStateValue;
    const steps = this.data && this.data.steps;
    this.data = data;
    if (data.steps !== steps || data.applied >= this.seq) {
      this.stage = data.stage;
      this.seq = Math.max(this.seq, data.applied);
    }
  }

  move(dir) {
    const d = this.data;
    if (!d || !this.send) return;
    const stage = Math.max(0, Math.min(d.last, this.stage + dir * d.stride));
    if (stage === this.stage) return;
    this.stage = stage;
    this.seq += 1;
    this.send("move", { seq: this.seq, stage, steps: d.steps });
  }
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let counter = COUNTERS.get(parentElement);
  if (!counter) {
    counter = new Counter();
    COUNTERS.set(parentElement, counter);
  }
  counter.update(data, setStateValue);
  counter.listen(true);
  // Streamlit calls this before the next call and when the page leaves: no listener stays
  // behind on another page.
  return () => counter.listen(false);
}
