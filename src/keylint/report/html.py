"""One self-contained HTML file for audits: open it in any browser, send it to anyone.

The page has no external assets (its Content-Security-Policy forbids loading any),
no server and no build step: a summary by severity, category, provider and file,
the files that could not be scanned, then every finding with its masked source
line, message and fix. A few lines of inline JavaScript sort the table by any
column and filter it; without JavaScript everything is still shown.

Secrets are masked before this module sees them (``shown_secret`` and the engine's
masked context line); every piece of scanned text is HTML-escaped here.
"""

from __future__ import annotations

import html
from collections import Counter

from keylint import TYPE_CHECKING
from keylint.model import CATEGORIES, Finding, Severity
from keylint.redact import escape
from keylint.report import ReportOptions, shown_secret

if TYPE_CHECKING:
    from keylint.engine import ScanReport

_SEVERITIES = sorted(Severity, reverse=True)

STYLE = """
:root { --error: #b42318; --warning: #b54708; --info: #175cd3; --line: #d0d5dd; --muted: #475467; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #101828;
       background: #f9fafb; }
header, main { max-width: 1400px; margin: 0 auto; padding: 16px 24px; }
header { border-bottom: 1px solid var(--line); background: #fff; max-width: none; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 24px 0 8px; }
.meta { color: var(--muted); }
.incomplete { color: var(--error); font-weight: 600; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card b { display: block; font-size: 24px; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 16px; }
.summary section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px;
                   max-height: 320px; overflow: auto; }
.summary h3 { font-size: 14px; margin: 4px 0 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eaecf0; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.summary tr[data-filter] { cursor: pointer; }
.summary tr[data-filter]:hover { background: #f2f4f7; }
#findings, .notices { background: #fff; border: 1px solid var(--line); }
#findings th { position: sticky; top: 0; background: #f2f4f7; cursor: pointer; user-select: none; white-space: nowrap; }
#findings th[aria-sort="ascending"]::after { content: " \\25B2"; }
#findings th[aria-sort="descending"]::after { content: " \\25BC"; }
.sev { display: inline-block; padding: 0 6px; border-radius: 4px; color: #fff; font-size: 12px; font-weight: 600; }
.sev.error { background: var(--error); }
.sev.warning { background: var(--warning); }
.sev.info { background: var(--info); }
code, .ctx { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.ctx { display: block; white-space: pre-wrap; word-break: break-all; background: #f2f4f7; border-radius: 4px;
       padding: 2px 6px; margin-top: 4px; }
td.secret, td.secret code { white-space: nowrap; }
.fix { color: var(--muted); margin-top: 4px; }
.controls { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin: 8px 0; }
.controls input { min-width: 260px; }
.controls input, .controls select, .controls button { font: inherit; padding: 4px 6px; }
#shown { color: var(--muted); }
.empty { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; }
"""

SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var search = document.getElementById("q");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-field]"));
  var shown = document.getElementById("shown");
  var sorted = null;

  // The view (filters and sort order) lives in the URL fragment, so a filtered view can be bookmarked or shared:
  // report.html#severity=error&sort=location:asc
  function saveView() {
    var params = new URLSearchParams();
    if (search.value) { params.set("q", search.value); }
    selects.forEach(function (s) { if (s.value) { params.set(s.dataset.field, s.value); } });
    if (sorted) { params.set("sort", sorted); }
    try { history.replaceState(null, "", "#" + params.toString()); } catch (e) { /* file: URLs in some browsers */ }
  }

  function apply(save) {
    var needle = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var ok = selects.every(function (s) {
        return !s.value || row.getAttribute("data-" + s.dataset.field) === s.value;
      }) && (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0);
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " findings shown";
    if (save) { saveView(); }
  }

  function sortBy(th, ascending) {
    var index = th.cellIndex;
    if (ascending === undefined) { ascending = th.getAttribute("aria-sort") !== "ascending"; }
    headers.forEach(function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var numeric = th.dataset.type === "number";
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.sort || a.cells[index].textContent;
      var y = b.cells[index].dataset.sort || b.cells[index].textContent;
      var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, {numeric: true});
      if (order === 0) { order = Number(a.dataset.order) - Number(b.dataset.order); }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    sorted = th.dataset.key + (ascending ? ":asc" : ":desc");
  }

  function loadView() {
    var params = new URLSearchParams(location.hash.slice(1));
    search.value = params.get("q") || "";
    selects.forEach(function (s) {
      s.value = params.get(s.dataset.field) || "";
      if (s.selectedIndex < 0) { s.value = ""; }
    });
    var sort = (params.get("sort") || "").split(":");
    var th = headers.filter(function (h) { return h.dataset.key === sort[0]; })[0];
    if (th) { sortBy(th, sort[1] !== "desc"); }
    apply(false);
  }

  headers.forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener("click", function () { sortBy(th); saveView(); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(th); saveView(); } });
  });
  search.addEventListener("input", function () { apply(true); });
  selects.forEach(function (s) { s.addEventListener("change", function () { apply(true); }); });
  document.getElementById("reset").addEventListener("click", function () {
    search.value = "";
    selects.forEach(function (s) { s.value = ""; });
    apply(true);
  });
  Array.prototype.forEach.call(document.querySelectorAll(".summary tr[data-filter]"), function (tr) {
    tr.addEventListener("click", function () {
      selects.forEach(function (s) { s.value = s.dataset.field === tr.dataset.filter ? tr.dataset.value : ""; });
      search.value = "";
      apply(true);
      table.scrollIntoView({behavior: "smooth"});
    });
  });
  window.addEventListener("hashchange", loadView);
  loadView();
})();
"""

# The page may load nothing from anywhere: no fonts, images, scripts or styles but its own.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _e(text: object) -> str:
    """Escaped for HTML text and attribute values, with control characters made visible."""
    return html.escape(escape(str(text)), quote=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary_table(title: str, field: str, counts: Counter[str], labels: dict[str, str] | None = None) -> str:
    rows = "".join(
        f'<tr data-filter="{field}" data-value="{_e(value)}" title="show only these">'
        f'<td>{_e((labels or {}).get(value, value))}</td><td class="n">{count}</td></tr>'
        for value, count in counts.items()
    )
    return (
        f"<section><h3>By {title}</h3><table><thead><tr><th>{title}</th><th>findings</th></tr></thead>"
        f"<tbody>{rows or '<tr><td colspan=2>none</td></tr>'}</tbody></table></section>"
    )


def _select(field: str, label: str, values: list[str]) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return f'<label>{label} <select data-field="{field}"><option value="">all</option>{options}</select></label>'


def _finding_row(index: int, f: Finding, options: ReportOptions) -> str:
    secret = shown_secret(f, options)
    context = f.extra.get("context")
    detail = f"<div>{_e(f.message)}</div>"
    if f.fix:
        detail += f'<div class="fix">Fix: {_e(f.fix)}</div>'
    if context is not None:
        detail += f'<code class="ctx">{f.line:>4} | {_e(context)}</code>'
    provider = f.provider or ""
    return (
        f'<tr data-order="{index}" data-severity="{f.severity.label}" data-category="{_e(f.category)}" '
        f'data-provider="{_e(provider)}" data-file="{_e(f.path)}">'
        f'<td data-sort="{int(f.severity)}"><span class="sev {f.severity.label}">{f.severity.label}</span></td>'
        f"<td><code>{_e(f.rule)}</code> {_e(f.name)}</td>"
        f"<td>{_e(f.category)}</td>"
        f'<td data-sort="{_e(f.path)}:{f.line:09d}:{f.column:06d}"><code>{_e(f.path)}:{f.line}:{f.column}</code></td>'
        f"<td><code>{_e(f.key or '')}</code></td>"
        f"<td>{_e(provider)}</td>"
        f"<td>{detail}</td>"
        f'<td class="secret"><code>{_e(secret or "")}</code></td>'
        "</tr>"
    )


def render(report: ScanReport, options: ReportOptions) -> str:
    findings = report.findings
    by_severity = Counter({s.label: 0 for s in _SEVERITIES})
    by_severity.update(f.severity.label for f in findings)
    category_order = {c: i for i, c in enumerate(CATEGORIES)}
    by_category = Counter(f.category for f in findings)
    by_category = Counter(dict(sorted(by_category.items(), key=lambda kv: category_order.get(kv[0], 99))))
    by_provider = Counter(dict(Counter(f.provider or "(none)" for f in findings).most_common()))
    by_file = Counter(dict(Counter(f.path for f in findings).most_common()))
    errors = report.errors
    skipped = [n for n in report.notices if n.kind == "skipped"]

    cards = "".join(
        f'<div class="card"><b>{value}</b>{label}</div>'
        for value, label in (
            (report.files_scanned, "files scanned"),
            (len(findings), "findings"),
            (by_severity["error"], "errors"),
            (by_severity["warning"], "warnings"),
            (by_severity["info"], "info"),
            (len(by_file), "files with findings"),
        )
    )
    status = ""
    if errors:
        status = f'<p class="incomplete">Incomplete scan: {_plural(len(errors), "file")} could not be scanned.</p>'
    summary = (
        '<div class="summary">'
        + _summary_table("severity", "severity", by_severity)
        + _summary_table("category", "category", by_category)
        + _summary_table("provider", "provider", by_provider)
        + _summary_table("file", "file", by_file)
        + "</div>"
    )
    notices = ""
    if report.notices:
        items = "".join(
            f"<tr><td>{'skipped' if n.kind == 'skipped' else _e(n.kind)}</td><td><code>{_e(n.path)}</code></td>"
            f"<td>{_e(n.message)}</td></tr>"
            for n in report.notices
        )
        notices = (
            f"<h2>Files not scanned ({_plural(len(errors), 'error')}, {len(skipped)} skipped)</h2>"
            f'<table class="notices"><thead><tr><th>kind</th><th>file</th><th>reason</th></tr></thead>'
            f"<tbody>{items}</tbody></table>"
        )
    if findings:
        controls = (
            '<div class="controls">'
            '<input id="q" type="search" placeholder="filter: text in any column" aria-label="filter findings">'
            + _select("severity", "severity", [s.label for s in _SEVERITIES if by_severity[s.label]])
            + _select("category", "category", list(by_category))
            + _select("provider", "provider", sorted({f.provider for f in findings if f.provider}))
            + _select("file", "file", sorted(by_file))
            + '<button id="reset" type="button">show all</button> <span id="shown"></span></div>'
        )
        head = "".join(
            f'<th scope="col" data-key="{name}"{" data-type=number" if name == "severity" else ""}>{name}</th>'
            for name in ("severity", "rule", "category", "location", "key", "provider", "finding", "secret")
        )
        body = "".join(_finding_row(i, f, options) for i, f in enumerate(findings))
        table = f'{controls}<table id="findings"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    else:
        table = '<p class="empty">No findings.</p>'
    version = f" {_e(options.tool_version)}" if options.tool_version else ""
    secrets_note = "secrets shown in full (--show-secrets)" if options.show_secrets else "secrets are masked"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>keylint report: {_plural(len(findings), 'finding')}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>keylint report</h1>"
        f'<div class="meta">keylint{version} &middot; {_plural(report.files_scanned, "file")} scanned in '
        f"{report.duration:.2f}s &middot; {secrets_note}</div></header>\n"
        f'<main>\n<div class="cards">{cards}</div>{status}\n<h2>Summary</h2>\n{summary}\n{notices}\n'
        f"<h2>Findings</h2>\n{table}\n</main>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
