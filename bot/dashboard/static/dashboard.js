/* model-router dashboard: draws the four weekly charts from the JSON block with Chart.js (no network). */
(function () {
  "use strict";
  var el = document.getElementById("mr-data");
  if (!el || typeof Chart === "undefined") { return; }
  var d = JSON.parse(el.textContent);
  var colors = { haiku: "#2da44e", sonnet: "#0969da", opus: "#8250df", target: "#cf222e", grey: "#6e7781", amber: "#bf8700" };
  var base = {
    animation: false, responsive: false, spanGaps: true,
    plugins: { legend: { position: "bottom" } },
    scales: { x: { ticks: { maxRotation: 0, autoSkip: true } }, y: { beginAtZero: true } }
  };
  function opts(extra) { return Object.assign({}, base, extra || {}); }
  function line(label, data, color, dash) {
    return { label: label, data: data, borderColor: color, backgroundColor: color, borderDash: dash || [], pointRadius: 2, borderWidth: 2, tension: 0.2 };
  }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }
  draw("chart-tiers", { type: "bar", data: { labels: d.weeks, datasets: (d.tiers || Object.keys(d.tier_share)).map(function (t) {
    return { label: t, data: d.tier_share[t], backgroundColor: colors[t] || colors.grey };
  }) }, options: opts({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, max: 100 } } }) });
  draw("chart-success", { type: "line", data: { labels: d.weeks, datasets: [
    line("Haiku first-try success %", d.haiku_success, colors.haiku),
    line("target", d.weeks.map(function () { return d.haiku_success_target; }), colors.target, [6, 4])
  ] }, options: opts({ scales: { y: { beginAtZero: true, max: 100 } } }) });
  draw("chart-spend", { type: "line", data: { labels: d.weeks, datasets: [
    line("estimated", d.spend.estimated, colors.sonnet),
    line("actual", d.spend.actual, colors.haiku),
    line("no-routing baseline", d.spend.baseline, colors.grey, [6, 4])
  ] }, options: opts() });
  draw("chart-people", { type: "bar", data: { labels: d.weeks, datasets: [
    { label: "escalations", data: d.escalations, backgroundColor: colors.amber },
    { label: "human overrides", data: d.overrides, backgroundColor: colors.target }
  ] }, options: opts() });
})();
