// The live charts: each <div class="lesson-chart"> holds its Vega-Lite spec as
// JSON (book/_ext/translation.py, LiveCharts); vega-embed (vega.js, from the
// book's own _static) draws it as SVG, with its controls as labelled HTML inputs
// that the keyboard moves. The view stays on the element (chart.vegaView) for
// the browser tests. Loaded as a module after vega.js (a module too).
(() => {
  const draw = () => {
    document.querySelectorAll("div.lesson-chart").forEach(async (chart) => {
      const spec = JSON.parse(chart.querySelector("script").textContent);
      const target = chart.appendChild(document.createElement("div"));
      const result = await vegaEmbed(target, spec, { actions: false, renderer: "svg" });
      const svg = target.querySelector("svg"); // its text alternative: the spec's description
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", spec.description);
      chart.vegaView = result.view;
      chart.dataset.drawn = "true";
    });
  };
  draw(); // a module runs once the document is parsed, after vega.js
})();
