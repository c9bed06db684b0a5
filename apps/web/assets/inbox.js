// The inbox's "Select all on this page": ticks or clears every row's box (the rows stay selectable one by one).
(function () {
  var all = document.getElementById('select-all');
  if (!all) return;
  all.hidden = false;
  var label = document.querySelector('label[for="select-all"]');
  if (label) label.hidden = false;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('tbody input[name="item"]'));
  all.addEventListener('change', function () {
    boxes.forEach(function (box) {
      box.checked = all.checked;
    });
  });
  boxes.forEach(function (box) {
    box.addEventListener('change', function () {
      var ticked = boxes.filter(function (b) {
        return b.checked;
      }).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    });
  });
})();
