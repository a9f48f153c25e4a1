// Vitals graphs with uPlot: one chart per vital over time, with the Network's thresholds as
// dashed lines. The page works without this file: the table below shows the same values.
// The data URL and the texts come from data- attributes (no inline script under the CSP).
(() => {
  "use strict";
  const root = document.querySelector("[data-vitals-url]");
  if (!root || typeof window.uPlot === "undefined") return;

  const colours = { value: "#0b6e4f", threshold: "#b3261e" };

  function thresholdSeries(label) {
    return { label, stroke: colours.threshold, width: 1, dash: [6, 4], points: { show: false } };
  }

  function draw(chart) {
    const figure = document.createElement("figure");
    figure.className = "vitals-chart";
    // What the chart shows, for tests and assistive tools: which vital, how many points, the latest.
    figure.dataset.vital = chart.key;
    figure.dataset.points = String(chart.v.length);
    figure.dataset.latest = String(chart.v[chart.v.length - 1]);
    const title = document.createElement("h3");
    title.textContent = `${chart.label}（${chart.unit}）`;
    figure.appendChild(title);
    root.appendChild(figure);

    const data = [chart.t, chart.v];
    const series = [
      {},
      { label: chart.label, stroke: colours.value, width: 2, points: { show: true, size: 6 } },
    ];
    for (const [bound, label] of [["low", root.dataset.lowLabel], ["high", root.dataset.highLabel]]) {
      if (chart[bound] !== null && chart[bound] !== undefined) {
        data.push(chart.t.map(() => chart[bound]));
        series.push(thresholdSeries(label));
      }
    }
    const width = Math.max(280, Math.min(root.clientWidth || 600, 900));
    // eslint-disable-next-line no-new
    new window.uPlot({ width, height: 200, series, scales: { x: { time: true } } }, data, figure);
  }

  function show(message) {
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = message;
    root.appendChild(note);
  }

  fetch(root.dataset.vitalsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then((body) => {
      if (!body.vitals.length) show(root.dataset.empty);
      else body.vitals.forEach(draw);
    })
    .catch(() => show(root.dataset.error));
})();
