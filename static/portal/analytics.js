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
    var partial = data.partial || data.labels.map(function () { return false; });

    charts.push(draw("chart-daily", {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.metrics.map(function (metric, i) {
          var radius = data.labels.length > 31 ? 0 : 2;
          return {
            label: metric.label, data: metric.values, borderColor: COLORS[i], backgroundColor: COLORS[i], tension: 0.25,
            // today so far is partial: a hollow, larger point and a dashed segment up to it
            pointRadius: partial.map(function (p) { return p ? 5 : radius; }),
            pointStyle: partial.map(function (p) { return p ? "rectRot" : "circle"; }),
            pointBackgroundColor: partial.map(function (p) { return p ? "#fff" : COLORS[i]; }),
            segment: { borderDash: function (ctx) { return partial[ctx.p1DataIndex] ? [6, 4] : undefined; } },
            spanGaps: false
          };
        }).concat(partial.some(Boolean) ? [{
          // a legend line only: explains the partial point
          label: "Today so far (partial)", data: [], borderColor: "#495057", backgroundColor: "#fff",
          borderDash: [6, 4], pointStyle: "rectRot"
        }] : [])
      },
      options: {
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { labels: { usePointStyle: true } },
          tooltip: { callbacks: { title: function (items) { var i = items[0].dataIndex; return data.labels[i] + (partial[i] ? " (today so far, partial)" : ""); } } }
        },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
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
