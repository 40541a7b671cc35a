"""The report's only script: click a table header to sort its rows (numbers by value, missing
values last). Kept as a Python string so its CSP hash is computed from exactly what is inlined."""

SORT_JS = """\
(function () {
  "use strict";
  function key(cell) {
    var v = cell.getAttribute("data-sort");
    if (v !== null && v !== "" && !isNaN(parseFloat(v))) return { n: parseFloat(v) };
    if (v === "") return { e: true };
    return { s: cell.textContent.trim().toLowerCase() };
  }
  function cmp(a, b) {
    if (a.e || b.e) return a.e && b.e ? 0 : a.e ? 1 : -1;
    if (a.n !== undefined && b.n !== undefined) return a.n - b.n;
    var x = a.n !== undefined ? String(a.n) : a.s, y = b.n !== undefined ? String(b.n) : b.s;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, idx) {
      th.setAttribute("tabindex", "0");
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var a = key(r1.cells[idx]), b = key(r2.cells[idx]);
          if (a.e || b.e) return cmp(a, b);  // missing values last in both directions
          return asc ? cmp(a, b) : cmp(b, a);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  function openTarget() {  // a link to a run opens its collapsed section
    var t = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (t && t.tagName === "DETAILS") t.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
"""
