// "Select all shown": one box that ticks or unticks every box of a list on the page.
// The box is hidden in the HTML and shown here, so without JavaScript nothing on the
// page does nothing: each participant is then ticked on its own.
//
// <div data-select-all-wrap hidden>
//   <input type="checkbox" data-select-all="TABLE_ID" data-select-name="NAME">
//   <p aria-live="polite" data-select-count data-template="Chosen: %(count)s"></p>
// </div>
(function () {
  "use strict";

  document.querySelectorAll("[data-select-all]").forEach(function (master) {
    var list = document.getElementById(master.dataset.selectAll);
    if (!list) {
      return;
    }
    var selector = "input[type='checkbox'][name='" + master.dataset.selectName + "']";
    var wrap = master.closest("[data-select-all-wrap]");
    var count = wrap ? wrap.querySelector("[data-select-count]") : null;

    function boxes() {
      return Array.prototype.slice.call(list.querySelectorAll(selector));
    }

    function update() {
      var all = boxes();
      var ticked = all.filter(function (box) { return box.checked; }).length;
      master.checked = all.length > 0 && ticked === all.length;
      master.indeterminate = ticked > 0 && ticked < all.length;
      if (count) {
        count.textContent = count.dataset.template.replace("%(count)s", String(ticked));
      }
    }

    master.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = master.checked; });
      update();
    });
    list.addEventListener("change", update);
    if (wrap) {
      wrap.hidden = false;
    }
    update();
  });
})();
