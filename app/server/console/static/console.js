// The console's one script (shipped in the package, no CDN): "select all" in a queue.
document.addEventListener("change", function (event) {
  if (!event.target.matches("[data-select-all]")) return;
  var form = event.target.closest("form");
  form.querySelectorAll('input[name="item"]').forEach(function (box) { box.checked = event.target.checked; });
});
