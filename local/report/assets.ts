/** The report's inline stylesheet (no external fonts or resources). */
export const REPORT_CSS = `
:root {
  --fg: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bg: #f7f9fb; --card: #ffffff;
  --ok: #2f855a; --ok-bg: #e6f4ea; --bad: #c53030; --bad-bg: #fdecec;
  --cached: #2b6cb0; --cached-bg: #e6f0fa; --skip: #9aa5b1; --skip-bg: #f0f2f4; --run: #b7791f; --run-bg: #fdf5e6;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
header.report-header { padding: 20px 32px 12px; background: var(--card); border-bottom: 1px solid var(--line); }
header.report-header h1 { margin: 0 0 4px; font-size: 22px; }
header.report-header .subtitle { color: var(--muted); }
main { padding: 8px 32px 40px; max-width: 1280px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin: 18px 0; }
section > h2 { margin: 0 0 12px; font-size: 17px; }
h3 { font-size: 15px; margin: 14px 0 8px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 220px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 18px; font-weight: 600; }
.badge { white-space: nowrap; display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.status-succeeded, .badge.pass { background: var(--ok-bg); color: var(--ok); }
.badge.status-failed, .badge.fail { background: var(--bad-bg); color: var(--bad); }
.badge.status-cached { background: var(--cached-bg); color: var(--cached); }
.badge.status-notexecuted { background: var(--skip-bg); color: var(--muted); }
.badge.status-executing { background: var(--run-bg); color: var(--run); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable::after { content: " \\2195"; color: var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.best td { background: #fff8e1; font-weight: 600; }
tr.gate td { font-weight: 600; }
.svg-wrap { overflow-x: auto; }
svg text { font-family: inherit; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; color: var(--muted); font-size: 12px; margin-top: 6px; }
.legend .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -2px; margin-right: 4px; border: 1.5px solid; }
.node rect { stroke-width: 1.8; }
.node { cursor: pointer; }
.node.status-succeeded rect, .swatch.status-succeeded { fill: var(--ok-bg); background: var(--ok-bg); stroke: var(--ok); border-color: var(--ok); }
.node.status-failed rect, .swatch.status-failed { fill: var(--bad-bg); background: var(--bad-bg); stroke: var(--bad); border-color: var(--bad); }
.node.status-cached rect, .swatch.status-cached { fill: var(--cached-bg); background: var(--cached-bg); stroke: var(--cached); border-color: var(--cached); }
.node.status-notexecuted rect, .swatch.status-notexecuted { fill: var(--skip-bg); background: var(--skip-bg); stroke: var(--skip); border-color: var(--skip); stroke-dasharray: 5 4; border-style: dashed; }
.node.status-executing rect, .swatch.status-executing { fill: var(--run-bg); background: var(--run-bg); stroke: var(--run); border-color: var(--run); }
.node .name { font-weight: 600; font-size: 13px; fill: var(--fg); }
.node .meta { font-size: 11px; fill: var(--muted); }
.node.selected rect { stroke-width: 3.5; }
.edge { fill: none; stroke-width: 1.6; }
.edge-data { stroke: #7b8794; }
.edge-dependsOn { stroke: #7b8794; stroke-dasharray: 6 4; }
.edge-if { stroke: var(--ok); }
.edge-else { stroke: var(--bad); }
.edge-label { font-size: 11px; font-weight: 600; }
.edge-label.edge-if { fill: var(--ok); stroke: none; }
.edge-label.edge-else { fill: var(--bad); stroke: none; }
.timeline-row-label { font-size: 12px; fill: var(--fg); }
.timeline-row-label.sub { fill: var(--muted); font-size: 11px; }
.timeline-bar { stroke-width: 1.2; cursor: pointer; }
.timeline-bar.status-succeeded { fill: #68d391; stroke: var(--ok); }
.timeline-bar.status-failed { fill: #fc8181; stroke: var(--bad); }
.timeline-bar.status-cached { fill: #90cdf4; stroke: var(--cached); }
.timeline-bar.status-executing { fill: #f6e05e; stroke: var(--run); }
.timeline-bar.selected { stroke-width: 3; }
.timeline-trial-bar { fill: #b2f5ea; stroke: #319795; stroke-width: 1; }
.timeline-trial-bar.failed { fill: #fed7d7; stroke: var(--bad); }
.timeline-trial-bar.best { fill: #fbd38d; stroke: #c05621; }
.timeline-note { font-size: 11px; fill: var(--muted); font-style: italic; }
.axis line, .axis path { stroke: #9aa5b1; }
.axis text { font-size: 11px; fill: var(--muted); }
.grid line { stroke: #edf0f3; }
.trial-point { fill: #3182ce; stroke: #fff; stroke-width: 1.5; }
.trial-point.best { fill: #dd6b20; stroke: #7b341e; stroke-width: 2; }
.trial-point.failed { fill: var(--bad); }
.best-so-far { fill: none; stroke: #dd6b20; stroke-width: 1.5; stroke-dasharray: 4 3; }
.gauge-bar.pass { fill: #68d391; }
.gauge-bar.fail { fill: #fc8181; }
.gauge-threshold { stroke: var(--fg); stroke-width: 2; }
.gauge-track { fill: var(--skip-bg); }
.muted { color: var(--muted); }
td code { white-space: nowrap; }
code, .path { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
#step-details { border-left: 4px solid var(--line); padding: 8px 12px; margin-top: 10px; min-height: 24px; background: var(--bg); }
#step-details dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
#step-details dt { color: var(--muted); }
#step-details dd { margin: 0; white-space: pre-wrap; word-break: break-word; }
.message { white-space: pre-wrap; word-break: break-word; }
`;

/**
 * The report's inline script: click a step (graph node, timeline bar or table row) to see its details, sort the
 * trials table by a column, and mark the document as ready (tests read that flag from the dumped DOM).
 * It reads step details from the `report-data` JSON block and writes them only through `textContent`.
 */
export const REPORT_JS = `
(function () {
  'use strict';
  var dataEl = document.getElementById('report-data');
  var data = dataEl ? JSON.parse(dataEl.textContent || '{}') : {};
  var steps = data.steps || {};
  var panel = document.getElementById('step-details');

  function select(key) {
    var all = document.querySelectorAll('[data-step-key]');
    for (var i = 0; i < all.length; i++) {
      all[i].classList.toggle('selected', all[i].getAttribute('data-step-key') === key);
    }
    var step = steps[key];
    if (!panel || !step) return;
    panel.textContent = '';
    var dl = document.createElement('dl');
    var fields = [['Pipeline', step.pipeline], ['Step', step.name], ['Type', step.type], ['Status', step.status],
      ['Started', step.start], ['Duration', step.duration], ['Script time', step.process], ['Attempts', step.attempts],
      ['Note', step.note], ['Logs', step.logs]];
    for (var f = 0; f < fields.length; f++) {
      if (fields[f][1] === undefined || fields[f][1] === null || fields[f][1] === '') continue;
      var dt = document.createElement('dt');
      dt.textContent = fields[f][0];
      var dd = document.createElement('dd');
      dd.textContent = String(fields[f][1]);
      dl.appendChild(dt);
      dl.appendChild(dd);
    }
    panel.appendChild(dl);
  }

  var clickable = document.querySelectorAll('[data-step-key]');
  for (var c = 0; c < clickable.length; c++) {
    clickable[c].addEventListener('click', function (event) {
      select(event.currentTarget.getAttribute('data-step-key'));
    });
  }

  var headers = document.querySelectorAll('table.sortable-table th.sortable');
  for (var h = 0; h < headers.length; h++) {
    headers[h].addEventListener('click', function (event) {
      var th = event.currentTarget;
      var table = th.closest('table');
      var index = Array.prototype.indexOf.call(th.parentNode.children, th);
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var asc = th.getAttribute('data-sort') !== 'asc';
      rows.sort(function (a, b) {
        var x = a.cells[index].getAttribute('data-value') || a.cells[index].textContent;
        var y = b.cells[index].getAttribute('data-value') || b.cells[index].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
        return asc ? cmp : -cmp;
      });
      for (var r = 0; r < rows.length; r++) body.appendChild(rows[r]);
      th.setAttribute('data-sort', asc ? 'asc' : 'desc');
    });
  }

  var times = document.querySelectorAll('time[datetime]');
  for (var t = 0; t < times.length; t++) {
    var d = new Date(times[t].getAttribute('datetime'));
    if (!isNaN(d.getTime())) times[t].setAttribute('title', d.toString());
  }

  var firstFailed = document.querySelector('.node.status-failed');
  if (firstFailed) select(firstFailed.getAttribute('data-step-key'));
  document.documentElement.setAttribute('data-report-ready', 'true');
})();
`;
