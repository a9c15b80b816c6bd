/* Dashboard charts: data from the page's JSON block, drawn by the vendored Chart.js 4. */
(function () {
  "use strict";
  var el = document.getElementById("kpi-chart-data");
  if (!el || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var L = data.labels;
  function num(v) { return v === null || v === undefined ? null : Number(v); }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    new window.Chart(canvas, config);
  }
  draw("chart-trend", {
    type: "line",
    data: {
      labels: data.trend.map(function (d) { return d.day.slice(5); }),
      datasets: [
        { label: L.received, data: data.trend.map(function (d) { return d.received; }), yAxisID: "y", borderColor: "#0b5cad", tension: 0.2 },
        { label: L.closed, data: data.trend.map(function (d) { return d.closed; }), yAxisID: "y", borderColor: "#5b6575", tension: 0.2 },
        { label: L.sla, data: data.trend.map(function (d) { return num(d.sla); }), yAxisID: "p", borderColor: "#1a7f37", spanGaps: true, tension: 0.2 }
      ]
    },
    options: { scales: { y: { beginAtZero: true, position: "left" }, p: { min: 0, max: 100, position: "right", grid: { drawOnChartArea: false } } } }
  });
  draw("chart-outlets", {
    type: "bar",
    data: {
      labels: data.outlets.map(function (d) { return d.label; }),
      datasets: [{ label: L.sla, data: data.outlets.map(function (d) { return num(d.sla); }), backgroundColor: "#0b5cad" }]
    },
    options: { scales: { y: { min: 0, max: 100 } } }
  });
  draw("chart-techs", {
    type: "bar",
    data: {
      labels: data.technicians.map(function (d) { return d.label; }),
      datasets: [
        { label: L.csi, data: data.technicians.map(function (d) { return num(d.csi); }), backgroundColor: "#1a7f37" },
        { label: L.ftf, data: data.technicians.map(function (d) { return num(d.ftf); }), backgroundColor: "#0b5cad" },
        { label: L.repeat, data: data.technicians.map(function (d) { return num(d.repeat); }), backgroundColor: "#b3261e" }
      ]
    },
    options: { scales: { y: { min: 0, max: 100 } } }
  });
}());
