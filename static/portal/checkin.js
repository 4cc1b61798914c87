// "Use my location": fill the coordinates from the browser's location and show them on the map
// (static/portal/maps.js) for a look before "Save the check-in". Without location access the vendor taps
// the map or types the coordinates (the same form), so nothing depends on either.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-locate]");
    var form = document.getElementById("checkin-form");
    var status = document.getElementById("locate-status");
    if (!button || !form) { return; }
    var lat = form.querySelector("input[name=lat]");
    var lng = form.querySelector("input[name=lng]");

    function say(text) { if (status) { status.textContent = text; } }

    if (!("geolocation" in navigator)) {
      button.disabled = true;
      say("This browser cannot share its location: type the coordinates below.");
      return;
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      say("Finding your location…");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(6);
          lng.value = position.coords.longitude.toFixed(6);
          button.disabled = false;
          var map = form.querySelector("[data-map-picker]");
          if (map) { map.dispatchEvent(new Event("map:locate")); }
          say("Location found (within " + Math.round(position.coords.accuracy) + " m): check the pin on the map, " +
            "type the address if you like, then save the check-in.");
        },
        function (error) {
          button.disabled = false;
          var reason = error.code === 1 ? "location access was refused" : "the location is not available";
          say("Could not find your location: " + reason + ". Tap the map or type the coordinates instead.");
          lat.focus();
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  });
})();
