// The week editor (portal/places/hours.html): add a slot to a day, copy a day to others, and the
// "(next day)" hint, without a save per row. Without JS the same form works: each day shows its
// slots and one empty slot, "Remove" takes a slot out, and saving gives every day a new empty slot.
(function () {
  "use strict";

  var DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
  var FIELDS = ["opens", "closes", "address", "lat", "lng"];

  function field(slot, name) {
    return slot.querySelector('[name$="-' + name + '"]');
  }

  function updateNextDay(slot) {
    var opens = field(slot, "opens").value;
    var closes = field(slot, "closes").value;
    slot.querySelector("[data-next-day]").hidden = !(opens && closes && closes <= opens);
  }

  function updateRemoved(slot) {
    var remove = field(slot, "DELETE");
    slot.classList.toggle("slot--removed", Boolean(remove && remove.checked));
  }

  function wire(slot) {
    ["opens", "closes"].forEach(function (name) {
      field(slot, name).addEventListener("input", function () { updateNextDay(slot); });
    });
    var remove = field(slot, "DELETE");
    if (remove) { remove.addEventListener("change", function () { updateRemoved(slot); }); }
    updateNextDay(slot);
    updateRemoved(slot);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-hours-form]");
    if (!form) { return; }
    var total = form.querySelector('[name$="-TOTAL_FORMS"]');
    var initial = Number(form.querySelector('[name$="-INITIAL_FORMS"]').value);
    var template = document.getElementById("slot-template");
    var status = form.querySelector("[data-hours-status]");

    function day(number) { return form.querySelector('.day[data-day="' + number + '"]'); }

    function addSlot(dayNumber, values) {
      var index = Number(total.value);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var slot = holder.firstElementChild;
      field(slot, "weekday").value = String(dayNumber);
      if (values) {
        FIELDS.forEach(function (name) { field(slot, name).value = values[name] || ""; });
        if (values.address || values.lat || values.lng) { slot.querySelector("details").open = true; }
      }
      day(dayNumber).querySelector("[data-slots]").appendChild(slot);
      total.value = String(index + 1);
      wire(slot);
      return slot;
    }

    function isNew(slot) {
      return Number(field(slot, "opens").name.split("-")[1]) >= initial;
    }

    function filled(slot) {
      return Boolean(field(slot, "opens").value || field(slot, "closes").value);
    }

    function kept(slot) {
      var remove = field(slot, "DELETE");
      return !(remove && remove.checked) && filled(slot);
    }

    function copyDay(from, targets) {
      var source = Array.prototype.filter.call(day(from).querySelectorAll("[data-slot]"), kept);
      var values = source.map(function (slot) {
        var copied = {};
        FIELDS.forEach(function (name) { copied[name] = field(slot, name).value; });
        return copied;
      });
      targets.forEach(function (target) {
        if (target === from) { return; }
        // the day's slots give way to the copied ones: saved slots are marked "Remove", new ones go
        day(target).querySelectorAll("[data-slot]").forEach(function (slot) {
          if (isNew(slot)) {
            slot.remove();
          } else {
            field(slot, "DELETE").checked = true;
            updateRemoved(slot);
          }
        });
        values.forEach(function (copied) { addSlot(target, copied); });
        if (!values.length) { addSlot(target); }
      });
      var names = targets.filter(function (t) { return t !== from; }).map(function (t) { return DAY_NAMES[t]; });
      status.textContent = DAY_NAMES[from] + " copied to " + names.join(", ") + ". Save the week to keep it.";
    }

    form.querySelectorAll("[data-slot]").forEach(wire);
    form.querySelectorAll(".day").forEach(function (fieldset) {
      var number = Number(fieldset.getAttribute("data-day"));
      var tools = fieldset.querySelector("[data-day-tools]");
      tools.hidden = false;
      tools.querySelector("[data-add-slot]").addEventListener("click", function () {
        addSlot(number);
        var slots = fieldset.querySelectorAll("[data-slot]");
        field(slots[slots.length - 1], "opens").focus();
      });
      var quick = tools.querySelector("[data-copy-to]");
      if (quick) {
        quick.addEventListener("click", function () {
          copyDay(number, quick.getAttribute("data-copy-to").split(",").map(Number));
        });
      }
      var select = tools.querySelector("[data-copy-target]");
      tools.querySelector("[data-copy]").addEventListener("click", function () {
        if (!select.value) { select.focus(); return; }
        copyDay(number, select.value.split(",").map(Number));
        select.value = "";
      });
    });
  });
})();
