/* The Django admin's widgets that its own scripts draw, given accessible names.
 *
 * - The search icons of a two-list selector (SelectFilter2) are spans with an
 *   aria-label, which a span without a role may not carry: they become images.
 * - An autocomplete (select2) draws a combobox named after its shown value,
 *   which is empty until one is chosen: it is named after the field's label.
 *
 * The widgets are drawn at load and again when an inline row is added, so a
 * MutationObserver fixes them whenever they appear.
 */
(function () {
  "use strict";

  function labelFor(select) {
    if (!select.id) return null;
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (!label) return null;
    if (!label.id) label.id = select.id + "-label";
    return label;
  }

  function fix(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = labelFor(select);
      var container = select.nextElementSibling;
      if (!label || !container || !container.classList.contains("select2")) return;
      var combobox = container.querySelector(".select2-selection");
      var rendered = container.querySelector(".select2-selection__rendered");
      if (combobox && rendered) {
        if (!rendered.id) rendered.id = select.id + "-rendered";
        // The field's name, then the value shown.
        combobox.setAttribute("aria-labelledby", label.id + " " + rendered.id);
        rendered.setAttribute("aria-labelledby", label.id + " " + rendered.id);
      }
    });
  }

  function start() {
    fix(document);
    new MutationObserver(function () {
      fix(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
