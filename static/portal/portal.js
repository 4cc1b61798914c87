// Vendor portal: the small bits of behaviour every page shares. No inline scripts (CSP).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    // Responsive navigation: the menu button opens and closes the nav on phones.
    var toggle = document.querySelector("[data-nav-toggle]");
    var nav = document.getElementById("portal-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("is-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }

    // Vendor switcher: choosing a vendor submits its form.
    document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });

    // Overflow menus (<details data-overflow>): one open at a time; Escape or a tap elsewhere closes them.
    var menus = Array.prototype.slice.call(document.querySelectorAll("details[data-overflow]"));
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (menu.open) { menus.forEach(function (other) { if (other !== menu) { other.open = false; } }); }
      });
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) { menu.open = false; } });
    });

    // Destructive buttons ask first.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
