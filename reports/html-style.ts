/**
 * The report's stylesheet and its small boot script (both inlined; the page loads nothing). Pure strings.
 */

export const REPORT_CSS = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #e3e3e3; --bg: #fafafa; --card: #fff; --accent: #4c78a8;
  --warn-bg: #fff5e0; --warn: #8a5a00; --bad: #c62828; --good: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1480px; margin: 0 auto; padding: 16px 24px 48px; }
header h1 { font-size: 22px; margin: 8px 0 2px; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.hint, .caption { color: var(--muted); margin: 2px 0 8px; max-width: 110ch; }
#verdict { background: #eef5fb; border-left: 6px solid #4c78a8; padding: 10px 16px; margin: 8px 0 16px; border-radius: 4px; }
#verdict .headline { font-size: 1.15em; font-weight: 600; margin: 4px 0 6px; }
#verdict ul { margin: 4px 0; padding-left: 20px; }
#verdict .lever { margin: 8px 0 2px; font-weight: 600; }
#verdict .source { font-weight: normal; font-size: 0.85em; color: #555; word-break: break-all; }
.banner.partial { background: #fdecea; color: #7a1c12; border-left: 6px solid #c0392b; padding: 10px 14px; margin: 8px 0 16px; border-radius: 4px; font-size: 1.05em; }
.notes .note { background: var(--warn-bg); color: var(--warn); border-left: 4px solid #f0a202; padding: 8px 12px; margin: 8px 0; border-radius: 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-top: 4px solid var(--accent); border-radius: 6px; padding: 10px 14px; }
.card.none { border-top-color: #aaa; }
.card h3 { margin: 0 0 4px; font-size: 17px; font-weight: 600; }
.card h3 .pick { font-size: 20px; font-weight: 700; white-space: nowrap; }
.card.none h3 .pick { white-space: normal; font-size: 17px; }
.id { color: var(--muted); font-size: 11px; font-weight: normal; }
.card p.id { margin: 6px 0 0; }
.card .figures-line { margin: 0 0 6px; font-variant-numeric: tabular-nums; }
.card .reason, .card .ties { margin: 4px 0 0; color: var(--muted); }
.figure { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px 14px; margin: 14px 0; }
.figure h2 { border: 0; margin: 0 0 2px; font-size: 16px; }
.panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr)); gap: 16px; }
.panels.stacked { grid-template-columns: 1fr; }
.panel h3 { font-size: 13px; color: var(--muted); margin: 6px 0 2px; }
.chart { width: 100%; min-height: 120px; }
.chart .vega-embed { width: 100%; display: block; }
.chart .vega-embed summary { opacity: .4; }
.empty { color: var(--muted); font-style: italic; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 4px; background: var(--card); }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 12.5px; width: 100%; }
th, td { padding: 4px 5px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
thead th { background: #f2f2f2; position: sticky; top: 0; }
tbody th, thead th:first-child { text-align: left; }
tbody th { position: sticky; left: 0; background: var(--card); font-weight: 500; white-space: normal; min-width: 8.5em; }
.badge { display: inline-block; font-size: 10.5px; padding: 0 5px; border-radius: 8px; background: #e8eef6; color: var(--accent); }
.badge.failed { background: #fde8e8; color: var(--bad); }
.badge.pass { background: #e3f4e8; color: #1e7b34; }
thead th { white-space: normal; vertical-align: bottom; }
td small { color: var(--muted); font-size: 10.5px; }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.failures li { margin: 4px 0; }
.regression { color: var(--bad); font-weight: 600; }
.regressions li { color: var(--bad); }
.ok-line { color: var(--good); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; word-break: break-all; }
footer { color: var(--muted); margin-top: 32px; font-size: 12px; }
`;

/**
 * Embeds every chart of the JSON data element with vega-embed (SVG renderer, export actions only, no
 * editor link: the page must work offline). Each container gets data-rendered="true" or "error".
 */
export const BOOT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var options = { mode: "vega-lite", renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } };
  window.reportRendered = Promise.all(data.charts.map(function (chart) {
    var element = document.getElementById(chart.id);
    return vegaEmbed(element, chart.spec, options).then(function () {
      element.setAttribute("data-rendered", "true");
    }, function (error) {
      element.setAttribute("data-rendered", "error");
      element.textContent = "This chart could not be drawn: " + error.message;
      console.error(error);
    });
  }));
})();
`;
