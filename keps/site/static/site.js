/* A keps site's tables: filter the KEP index as you type, sort any table by a column.
   Plain JavaScript, no framework; every row is in the HTML, so pages work without it. */
(function () {
  "use strict";

  function cellKey(row, column) {
    var cell = row.cells[column];
    if (!cell) { return ""; }
    var given = cell.getAttribute("data-sort");
    return given !== null ? given : cell.textContent.trim().toLowerCase();
  }

  function compare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function sortBy(table, header, column) {
    var body = table.tBodies[0];
    var descending = header.getAttribute("aria-sort") === "ascending";
    var numeric = header.classList.contains("number");
    var rows = Array.prototype.map.call(body.rows, function (row, position) {
      var key = cellKey(row, column);
      if (numeric && row.cells[column] && row.cells[column].getAttribute("data-sort") === null) {
        key = key === "" ? Infinity : Number(key);
      }
      return { row: row, key: key, position: position };
    });
    rows.sort(function (a, b) {
      var order = compare(a.key, b.key);
      if (descending) { order = -order; }
      return order || a.position - b.position;
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var fragment = document.createDocumentFragment();
    rows.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "Sort by " + header.textContent.trim();
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, header, column); });
    });
  }

  function makeFilter(table, input, shown) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (row) { return row.getAttribute("data-search") || ""; });
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var count = 0;
      rows.forEach(function (row, index) {
        var keep = words.every(function (word) { return texts[index].indexOf(word) !== -1; });
        row.hidden = !keep;
        if (keep) { count += 1; }
      });
      shown.textContent = words.length
        ? count + " of " + rows.length + " KEPs"
        : rows.length + " KEPs";
    }
    input.addEventListener("input", apply);
    input.form && input.form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
  var index = document.getElementById("keps");
  var input = document.getElementById("filter");
  var shown = document.getElementById("shown");
  if (index && input && shown) {
    document.getElementById("filter-box").hidden = false;
    makeFilter(index, input, shown);
  }
}());
