// The annual report's print page: its "Print" button. No inline scripts (the CSP forbids them).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
