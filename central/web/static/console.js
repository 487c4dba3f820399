// The console's own script: the CSRF token on every htmx request, and the charts, drawn with
// Chart.js from the JSON block each chart names (a page has no inline script: see the
// Content-Security-Policy in central/web/templating.py).
"use strict";

document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
});

// The palette of the four smileys, from very unhappy to very happy (distinct also in greyscale).
const RATING_COLOURS = ["#b3261e", "#e8833a", "#7cb342", "#1b7a3a"];

function drawCharts(root) {
  if (typeof Chart === "undefined") return;
  root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    if (canvas.dataset.drawn) return;
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const config = JSON.parse(source.textContent);
    (config.data.datasets || []).forEach((set, i) => {
      if (set.rating) set.backgroundColor = RATING_COLOURS[set.rating - 1];
      else if (!set.backgroundColor) set.backgroundColor = "#1f5fa8";
      if (config.type === "line" && !set.borderColor) set.borderColor = "#1f5fa8";
    });
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    new Chart(canvas, config);
    canvas.dataset.drawn = "1";
  });
}

document.addEventListener("DOMContentLoaded", () => drawCharts(document));
document.addEventListener("htmx:afterSwap", (event) => drawCharts(event.target));
