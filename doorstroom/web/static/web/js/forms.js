/* Small form helpers; without JavaScript every form still works.
   - A search field above every <select multiple data-filter-label>: typing narrows the list of
     options (chosen ones always stay visible).
   - A field with data-show-if="name=value" is shown only while the form's field `name` has that
     value (a planned contact has no attendance yet). */
(function () {
  "use strict";
  function enhance(select) {
    if (select.dataset.filterReady) { return; }
    select.dataset.filterReady = "1";
    var wrapper = document.createElement("div");
    wrapper.className = "select-filter";
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.setAttribute("aria-controls", select.id);
    input.autocomplete = "off";
    label.htmlFor = input.id;
    label.className = "form-label form-label--small";
    label.textContent = select.dataset.filterLabel;
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    select.parentNode.insertBefore(wrapper, select);
    input.addEventListener("input", function () {
      var term = input.value.trim().toLocaleLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !term || option.selected || option.text.toLocaleLowerCase().indexOf(term) !== -1;
        option.hidden = !match;
      });
    });
  }
  function follow(control) {
    if (control.dataset.showReady) { return; }
    control.dataset.showReady = "1";
    var parts = control.dataset.showIf.split("=");
    var form = control.form;
    var wrapper = control.closest(".form-field") || control;
    if (!form) { return; }
    function update() {
      var chosen = form.querySelector("[name='" + parts[0] + "']:checked") || form.querySelector("select[name='" + parts[0] + "']");
      var shown = !chosen || chosen.value === parts[1];
      wrapper.hidden = !shown;
      control.disabled = !shown;
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === parts[0]) { update(); }
    });
    update();
  }
  function enhanceAll(root) {
    var scope = root || document;
    Array.prototype.forEach.call(scope.querySelectorAll("select[multiple][data-filter-label]"), enhance);
    Array.prototype.forEach.call(scope.querySelectorAll("[data-show-if]"), follow);
  }
  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
}());
