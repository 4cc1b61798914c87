// "Check in here": fill the coordinates from the browser's location, then submit.
// Without location access the vendor types the coordinates (the same form), so nothing depends on a map.
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
          say("Location found (within " + Math.round(position.coords.accuracy) + " m). Checking in…");
          if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
        },
        function (error) {
          button.disabled = false;
          var reason = error.code === 1 ? "location access was refused" : "the location is not available";
          say("Could not check in automatically: " + reason + ". Type the coordinates below instead.");
          lat.focus();
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  });
})();
