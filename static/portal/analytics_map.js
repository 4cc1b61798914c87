// Analytics heat map: the roll-up's ~1 km location cells as squares on a Leaflet map, shaded by
// their event count. Reads the cells and the tile URL from the page's chart data (json_script);
// the squares are drawn even when no tile loads (tests, offline).
(function () {
  "use strict";
  var CELL = 0.01; // degrees: floor(lat * 100), floor(lng * 100)

  function shade(events, max) {
    var t = max > 0 ? Math.sqrt(events / max) : 0;
    return { color: "#c92a2a", weight: 1, fillColor: "#e03131", fillOpacity: 0.15 + 0.65 * t };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("chart-data");
    var box = document.getElementById("heatmap");
    if (!node || !box || !window.L) { return; }
    var heat = JSON.parse(node.textContent).heatmap || { cells: [] };
    if (!heat.cells.length) { return; }
    var map = window.L.map(box, { scrollWheelZoom: false });
    if (heat.tileUrl) {
      window.L.tileLayer(heat.tileUrl, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    }
    var max = heat.cells.reduce(function (m, c) { return Math.max(m, c.events); }, 0);
    var layer = window.L.featureGroup();
    heat.cells.forEach(function (cell) {
      var square = window.L.rectangle([[cell.lat, cell.lng], [cell.lat + CELL, cell.lng + CELL]], shade(cell.events, max));
      square.bindTooltip(cell.events + " event" + (cell.events === 1 ? "" : "s") + ", " + cell.users + " people (per place and day)");
      layer.addLayer(square);
    });
    layer.addTo(map);
    map.fitBounds(layer.getBounds(), { maxZoom: 14 });
    box.setAttribute("data-cells-drawn", String(heat.cells.length));
  });
})();
