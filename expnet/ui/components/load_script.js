// What every component's JavaScript starts with (expnet.ui.components.component_js).
//
// Loads a script once per page (a <script> tag in the head) and resolves with the global it
// defines: Plotly.js for the live network widget and the train player, KaTeX for the math
// panel. The promise is kept on window, so every component on the page shares one load.
function loadScript(url, global) {
  if (window[global]) return Promise.resolve(window[global]);
  const slot = "__expnetLoad_" + global;
  if (!window[slot]) {
    window[slot] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () => resolve(window[global]);
      script.onerror = () => {
        window[slot] = null;
        reject(new Error("could not load " + url));
      };
      document.head.appendChild(script);
    });
  }
  return window[slot];
}

// The component's instance for its element, made once: Streamlit calls the component's
// function again with each new `data`, and the DOM (and its plots) must stay.
function instanceFor(instances, parentElement, make) {
  let instance = instances.get(parentElement);
  if (!instance) {
    instance = make(parentElement);
    instances.set(parentElement, instance);
  }
  return instance;
}
