/** The report page's stylesheet. */
export const PAGE_CSS = `
:root { --fg:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#f8fafc; --card:#fff; --accent:#2563eb; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { padding:14px 24px; background:#0f172a; color:#f8fafc; display:flex; align-items:baseline; gap:16px; }
header h1 { font-size:20px; margin:0; font-weight:600; }
header .sub { color:#94a3b8; font-size:13px; }
main { padding:16px 24px 40px; max-width:1500px; margin:0 auto; }
section.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:16px; }
h2 { font-size:16px; margin:0 0 10px; font-weight:600; }
h3 { font-size:14px; margin:12px 0 6px; font-weight:600; }
.kv { display:grid; grid-template-columns:repeat(auto-fill,minmax(210px,1fr)); gap:6px 18px; }
.kv div { display:flex; flex-direction:column; }
.kv .k { color:var(--muted); font-size:12px; }
.kv .v { font-variant-numeric:tabular-nums; }
.gridlists { margin-top:10px; font-size:12px; color:var(--muted); }
.gridlists code { color:var(--fg); background:#f1f5f9; padding:1px 4px; border-radius:3px; }
.tabs { display:flex; gap:4px; margin-bottom:10px; flex-wrap:wrap; }
.tabs button { border:1px solid var(--line); background:#f1f5f9; padding:5px 12px; border-radius:6px; cursor:pointer; font:inherit; }
.tabs button.active { background:var(--accent); color:#fff; border-color:var(--accent); }
.tablewrap { max-height:360px; overflow:auto; border:1px solid var(--line); border-radius:6px; }
table { border-collapse:collapse; width:100%; font-size:12.5px; font-variant-numeric:tabular-nums; }
th, td { padding:4px 8px; text-align:right; white-space:nowrap; border-bottom:1px solid var(--line); }
th { position:sticky; top:0; background:#f1f5f9; cursor:pointer; user-select:none; font-weight:600; }
th.param { background:#eef2ff; }
th.sorted-desc::after { content:" \\25BE"; } th.sorted-asc::after { content:" \\25B4"; }
tbody tr { cursor:pointer; }
tbody tr:hover { background:#f8fafc; }
tbody tr.selected { background:#dbeafe; }
tbody tr.has-curves td:first-child { font-weight:600; }
.note { color:var(--muted); font-size:12px; margin:6px 0; }
.chartgroup { margin-bottom:18px; }
.chartgroup h3 span { color:var(--muted); font-weight:400; }
.legend-markers { display:flex; gap:14px; flex-wrap:wrap; font-size:12px; color:var(--muted); margin:2px 0 4px 8px; }
.legend-markers i { display:inline-block; width:10px; height:10px; margin-right:4px; vertical-align:-1px; }
.legend-markers i.tri { width:0; height:0; border-left:6px solid transparent; border-right:6px solid transparent; }
.legend-markers i.tri.long { border-bottom:10px solid #111827; }
.legend-markers i.tri.short { border-top:10px solid #7c3aed; }
.heatmaps { display:flex; flex-wrap:wrap; gap:18px; }
.heatmap { border:1px solid var(--line); border-radius:6px; padding:8px; }
.heatmap .cap { font-size:12px; color:var(--muted); margin-bottom:4px; }
.controls { display:flex; gap:10px; align-items:center; margin-bottom:8px; font-size:13px; }
select { font:inherit; padding:2px 6px; }
#hm-tip { position:fixed; pointer-events:none; background:#0f172a; color:#fff; padding:4px 8px; border-radius:4px; font-size:12px; display:none; z-index:10; }
.uplot { font-family:inherit; }
.u-legend { font-size:12px; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:10px; }
.oos-row { display:flex; flex-wrap:wrap; gap:18px; }
.oos-box { border:1px solid var(--line); border-radius:6px; padding:8px; }
.oos-line { font-size:13px; margin:4px 0; }
.oos-plot { display:block; margin:4px 0; }
.oos-table { font-size:12px; border-collapse:collapse; }
.oos-table td, .oos-table th { padding:2px 8px; text-align:right; }
`;
