// The portal's maps (Leaflet, vendored under static/vendor/leaflet/). Every map is an enhancement: the
// latitude/longitude inputs stay the form's fields and work without JavaScript.
//
// <div data-map-picker data-lat-input="ID" data-lng-input="ID">: a pin for a location. Click the map to
//   place it, drag it to move it; the inputs follow the pin and the pin follows the inputs.
//   data-previous-lat/-lng (optional) draw where the place was last seen, for comparison.
//   Inside a closed <details> it waits until the <details> opens.
// <div data-map-places data-places="JSON-SCRIPT-ID">: the vendor's places, green when open, grey when
//   closed, with the freshness of the location in the popup.
// Tiles come from data-tile-url (settings.MAP_TILE_URL); without one the pins sit on a blank map.
(function () {
  "use strict";

  var US_CENTER = [39.5, -98.35];

  function number(value) {
    if (value === null || value === undefined || String(value).trim() === "") { return null; }
    var parsed = Number(String(value).replace(",", "."));
    return isFinite(parsed) ? parsed : null;
  }

  function validPoint(lat, lng) {
    return lat !== null && lng !== null && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180;
  }

  function baseMap(element) {
    var map = L.map(element, { scrollWheelZoom: false, tap: true });
    var url = element.getAttribute("data-tile-url");
    if (url) {
      L.tileLayer(url, { maxZoom: 19, attribution: element.getAttribute("data-tile-attribution") || "" }).addTo(map);
    } else {
      element.classList.add("map--blank");
    }
    return map;
  }

  function setupPicker(element) {
    if (element.mapPicker) { return; }
    var latInput = document.getElementById(element.getAttribute("data-lat-input"));
    var lngInput = document.getElementById(element.getAttribute("data-lng-input"));
    if (!latInput || !lngInput) { return; }
    var map = baseMap(element);
    var marker = null;
    var status = element.parentNode.querySelector("[data-map-status]");

    function say(text) { if (status) { status.textContent = text; } }

    var previous = [number(element.getAttribute("data-previous-lat")), number(element.getAttribute("data-previous-lng"))];
    if (validPoint(previous[0], previous[1])) {
      L.circleMarker(previous, { radius: 7, color: "#5b6673", fillColor: "#adb5bd", fillOpacity: 0.7, weight: 2 })
        .bindTooltip("Last known position")
        .addTo(map);
    }

    function writeInputs(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lngInput.value = latlng.lng.toFixed(6);
      [latInput, lngInput].forEach(function (input) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      say("Pin at " + latInput.value + ", " + lngInput.value + ". Not saved yet.");
    }

    function placeMarker(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
        return;
      }
      marker = L.marker(latlng, { draggable: true, autoPan: true, keyboard: true, title: "Location pin (drag to move)" });
      marker.on("dragend", function () { writeInputs(marker.getLatLng()); });
      marker.addTo(map);
      var icon = marker.getElement();
      if (icon) { icon.setAttribute("data-map-pin", ""); }
    }

    function fromInputs(recentre) {
      var lat = number(latInput.value);
      var lng = number(lngInput.value);
      if (!validPoint(lat, lng)) {
        if (marker && latInput.value.trim() === "" && lngInput.value.trim() === "") {
          map.removeLayer(marker);
          marker = null;
        }
        return;
      }
      placeMarker([lat, lng]);
      if (!recentre) { return; }
      if (validPoint(previous[0], previous[1]) && (previous[0] !== lat || previous[1] !== lng)) {
        // both in view: where the place was and where the pin is now
        map.fitBounds([previous, [lat, lng]], { padding: [32, 32], maxZoom: 16 });
      } else {
        map.setView([lat, lng], Math.max(map.getZoom() || 0, 15));
      }
    }

    map.on("click", function (event) {
      placeMarker(event.latlng);
      writeInputs(event.latlng);
    });
    [latInput, lngInput].forEach(function (input) {
      input.addEventListener("input", function () { fromInputs(true); });
    });
    // Other scripts (the check-in's "use my location") announce filled inputs with this event.
    element.addEventListener("map:locate", function () { fromInputs(true); });

    var lat = number(latInput.value);
    var lng = number(lngInput.value);
    if (validPoint(lat, lng)) {
      map.setView([lat, lng], 15);
      placeMarker([lat, lng]);
    } else if (validPoint(previous[0], previous[1])) {
      map.setView(previous, 15);
    } else {
      map.setView(US_CENTER, 4);
    }
    element.mapPicker = { map: map, refresh: function () { fromInputs(true); } };
  }

  function freshnessText(place) {
    return place.updated ? "Location updated " + place.updated : "No location yet";
  }

  function setupPlaces(element) {
    var source = document.getElementById(element.getAttribute("data-places"));
    if (!source) { return; }
    var places = JSON.parse(source.textContent);
    var map = baseMap(element);
    places = places.filter(function (place) { return validPoint(place.lat, place.lng); });
    var bounds = places.map(function (place) { return [place.lat, place.lng]; });
    // The view first: Leaflet draws a layer (and makes its element) only on a map that has one.
    if (bounds.length === 1) {
      map.setView(bounds[0], 14);
    } else if (bounds.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    } else {
      map.setView(US_CENTER, 4);
    }
    places.forEach(function (place) {
      var colour = place.is_open ? "#2b8a3e" : "#868e96";
      var popup = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = place.name;
      popup.appendChild(title);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(document.createTextNode((place.is_open ? "Open" : "Closed") + " · " + freshnessText(place)));
      if (place.address) {
        popup.appendChild(document.createElement("br"));
        popup.appendChild(document.createTextNode(place.address));
      }
      var marker = L.circleMarker([place.lat, place.lng], {
        radius: 12, color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 0.95,
      }).bindPopup(popup).addTo(map);
      var path = marker.getElement();
      if (path) {
        path.setAttribute("data-place-id", String(place.id));
        path.setAttribute("data-open", place.is_open ? "1" : "0");
        path.setAttribute("role", "img");  // an SVG path may carry a name only with a role
        path.setAttribute("aria-label", place.name + (place.is_open ? " (open)" : " (closed)"));
      }
    });
  }

  // A picker inside a closed <details> (a weekly slot's planned stop) has no size yet: it is set up
  // when its <details> first opens, which also covers slots the week editor adds later.
  function hiddenInClosedDetails(element) {
    var details = element.closest("details");
    return details !== null && !details.open;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-map-picker]"), function (element) {
      if (!hiddenInClosedDetails(element)) { setupPicker(element); }
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-map-places]"), setupPlaces);
    document.addEventListener("toggle", function (event) {
      var details = event.target;
      if (!details.open || !details.querySelectorAll) { return; }
      Array.prototype.forEach.call(details.querySelectorAll("[data-map-picker]"), function (element) {
        if (element.mapPicker) {
          element.mapPicker.map.invalidateSize();
        } else if (!hiddenInClosedDetails(element)) {
          setupPicker(element);
        }
      });
    }, true);  // toggle does not bubble: listen while it is captured
  });
})();

// A new place's time zone: when the select is empty (the vendor's state gave none), the browser's zone.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[data-browser-time-zone]");
    if (!select || select.value) { return; }
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
    if (zone && select.querySelector('option[value="' + zone.replace(/"/g, "") + '"]')) {
      select.value = zone;
    }
  });
})();
