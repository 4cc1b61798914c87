// Analytics page: draws the charts from the JSON the server put in <script type="application/json">.
(function () {
  "use strict";
  var COLORS = ["#d9480f", "#1971c2", "#2b8a3e", "#ae3ec9", "#f08c00", "#0c8599"];

  function dataFromPage() {
    var node = document.getElementById("chart-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return null; }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    return new window.Chart(canvas, config);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = dataFromPage();
    if (!data || !window.Chart) { return; }
    var charts = [];

    charts.push(draw("chart-daily", {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.metrics.map(function (metric, i) {
          return { label: metric.label, data: metric.values, borderColor: COLORS[i], backgroundColor: COLORS[i], tension: 0.25, pointRadius: data.labels.length > 31 ? 0 : 2 };
        })
      },
      options: { interaction: { mode: "index", intersect: false }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    }));

    charts.push(draw("chart-hours", {
      type: "bar",
      data: { labels: data.peakHours.labels, datasets: [{ label: "Views by hour of day", data: data.peakHours.values, backgroundColor: COLORS[1] }] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    }));

    charts.push(draw("chart-ratings", {
      type: "bar",
      data: { labels: data.ratings.labels, datasets: [{ label: "Ratings", data: data.ratings.values, backgroundColor: COLORS[4] }] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    }));

    charts.push(draw("chart-places", {
      type: "bar",
      data: {
        labels: data.places.labels,
        datasets: [
          { label: "Views", data: data.places.views, backgroundColor: COLORS[0] },
          { label: "Clicks", data: data.places.clicks, backgroundColor: COLORS[2] }
        ]
      },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    }));

    window.portalCharts = charts.filter(Boolean);
    document.documentElement.setAttribute("data-charts-drawn", String(window.portalCharts.length));
  });
})();
