// The follow-up list: "Select all shown" ticks every box it stands for. Without
// this script the server reads the ticked "select all" as every follow-up shown.
(function () {
  "use strict";

  var selectAll = document.getElementById("not-reached-select-all");
  if (!selectAll) {
    return;
  }
  var boxes = document.querySelectorAll('#not-reached-form input[name="followups"]');
  selectAll.addEventListener("change", function () {
    boxes.forEach(function (box) {
      box.checked = selectAll.checked;
    });
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) {
        selectAll.checked = false;
      }
    });
  });
})();
