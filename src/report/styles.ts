/** The page's whole stylesheet, inlined: the report has to open offline, from a file, anywhere. */
export const REPORT_CSS = `
:root {
  --bg: #f5f6fa; --card: #fff; --line: #e3e6ee; --text: #0f172a; --muted: #64748b; --accent: #4f46e5;
  --good: #15803d; --good-bg: #dcfce7; --bad: #dc2626; --bad-bg: #fee2e2; --warn: #b45309; --warn-bg: #fef3c7;
  --turn: #94a3b8; --model: #8b5cf6; --tool: #0d9488; --hook: #d97706; --msg: #0ea5e9; --error: #dc2626; --compaction: #be185d;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 28px 24px 64px; }
header.page { display: flex; justify-content: space-between; align-items: flex-end; gap: 16px; flex-wrap: wrap; margin-bottom: 18px; }
header.page h1 { margin: 0; font-size: 24px; letter-spacing: -0.01em; }
header.page .sub { color: var(--muted); font-size: 13px; margin-top: 2px; overflow-wrap: anywhere; }
nav.sections { display: flex; gap: 6px; flex-wrap: wrap; }
nav.sections a { color: var(--muted); text-decoration: none; font-size: 13px; padding: 4px 10px; border-radius: 999px; border: 1px solid var(--line); background: var(--card); }
nav.sections a:hover { color: var(--accent); border-color: var(--accent); }
h2 { font-size: 17px; margin: 0 0 2px; }
h2 + .lead { color: var(--muted); margin: 0 0 14px; font-size: 13px; }
h3 { font-size: 15px; margin: 0; }
h5 { margin: 12px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
section.block { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px 22px; margin-top: 18px; box-shadow: 0 1px 2px rgba(15, 23, 42, 0.04); scroll-margin-top: 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.card.wide { grid-column: span 2; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(15, 23, 42, 0.04); min-width: 0; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; }
.card .v { font-size: 26px; font-weight: 650; margin-top: 2px; letter-spacing: -0.02em; }
.card .v.small { font-size: 15.5px; font-weight: 600; line-height: 1.35; letter-spacing: 0; margin: 4px 0 2px; overflow-wrap: anywhere; }
.card .d { color: var(--muted); font-size: 12.5px; margin-top: 2px; }
a.plain { color: inherit; text-decoration: none; } a.plain:hover { color: var(--accent); }
.up { color: var(--good); } .down { color: var(--bad); }
.empty { border: 1px dashed #cbd5e1; border-radius: 10px; padding: 14px 16px; color: var(--muted); background: #fafbfd; }
.empty b { color: var(--text); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
code { background: #f1f5f9; border-radius: 4px; padding: 1px 5px; overflow-wrap: anywhere; }
pre { background: #f8fafc; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 360px; overflow: auto; }
.note { color: var(--warn); font-size: 12.5px; margin: 4px 0 0; }
.muted { color: var(--muted); }
.problems { background: var(--warn-bg); border: 1px solid #fcd34d; color: #78350f; border-radius: 10px; padding: 10px 14px; margin-top: 14px; }
.problems ul { margin: 4px 0 0; padding-left: 18px; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; color: var(--muted); font-size: 12.5px; margin-top: 6px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 5px; vertical-align: -1px; }
.legend i.sq { border-radius: 2px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid #f1f3f8; padding: 7px 8px; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
.pill { display: inline-block; font-size: 11.5px; font-weight: 600; padding: 1px 8px; border-radius: 999px; background: #eef2ff; color: #3730a3; white-space: nowrap; }
.pill.improved, .pill.pass, .pill.active { background: var(--good-bg); color: var(--good); }
.pill.regressed, .pill.fail, .pill.critical, .pill.high { background: var(--bad-bg); color: var(--bad); }
.pill.unchanged, .pill.rejected, .pill.contradicted, .pill.low { background: #f1f5f9; color: #475569; }
.pill.abandoned, .pill.unverified, .pill.medium { background: var(--warn-bg); color: var(--warn); }
.pill.human { background: #e0f2fe; color: #0369a1; } .pill.detector { background: #ede9fe; color: #6d28d9; }
.pill.hook { background: #ffedd5; color: #c2410c; } .pill.llm { background: #f1f5f9; color: #475569; }
.recs { display: flex; flex-direction: column; gap: 12px; }
.rec { border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px 14px 60px; position: relative; }
.rec.top { border-color: #a5b4fc; background: linear-gradient(180deg, #f5f7ff, #fff 60%); }
.rec .rank { position: absolute; left: 16px; top: 14px; width: 30px; height: 30px; border-radius: 50%; background: #eef2ff; color: var(--accent); font-weight: 700; display: flex; align-items: center; justify-content: center; }
.rec.top .rank { background: var(--accent); color: #fff; }
.rec .the { color: var(--accent); font-size: 11.5px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; }
.rec .chips { display: flex; gap: 6px; flex-wrap: wrap; margin: 6px 0 8px; }
.rec .impact { font-weight: 600; margin-bottom: 6px; }
.rec .change code { font-size: 12px; }
.rec .change { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 3px solid #c7d2fe; padding: 2px 0 2px 12px; margin: 6px 0 8px; }
.rec .files code { margin-right: 4px; }
.evidence { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
a.trace-link, .trace-link.missing { display: inline-flex; gap: 6px; align-items: baseline; max-width: 100%; font-size: 12.5px; text-decoration: none; color: #1e40af; background: #eff6ff; border: 1px solid #bfdbfe; border-radius: 6px; padding: 2px 8px; }
a.trace-link:hover { background: #dbeafe; }
a.trace-link .tid { font-family: ui-monospace, Menlo, monospace; font-size: 11.5px; color: #475569; }
a.trace-link .ttask { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 380px; min-width: 0; flex: 0 1 auto; }
a.trace-link .tid { flex: none; }
.trace-link.missing { color: var(--muted); background: #f8fafc; border: 1px dashed #cbd5e1; }
table.feedback td.tr { width: 250px; max-width: 250px; }
table.feedback a.trace-link { flex-direction: column; gap: 0; }
table.feedback a.trace-link .ttask { max-width: 230px; }
blockquote { margin: 6px 0; padding: 4px 12px; border-left: 3px solid var(--line); color: #334155; overflow-wrap: anywhere; }
blockquote cite { display: block; font-style: normal; color: var(--muted); font-size: 12px; }
.bars { display: flex; flex-direction: column; gap: 10px; }
.barrow { display: grid; grid-template-columns: minmax(140px, 220px) 1fr 44px; gap: 10px; align-items: center; }
.barrow .name { font-weight: 600; overflow-wrap: anywhere; }
.barrow .meter { background: #f1f5f9; border-radius: 6px; height: 14px; overflow: hidden; }
.barrow .meter span { display: block; height: 100%; background: linear-gradient(90deg, #f87171, #dc2626); border-radius: 6px; }
.barrow .meter.fb span { background: linear-gradient(90deg, #818cf8, #4f46e5); }
.barrow .count { text-align: right; font-weight: 650; }
details.more { margin-top: 10px; }
details.more > summary { cursor: pointer; color: var(--accent); font-size: 12.5px; font-weight: 600; }
details.group { border-top: 1px solid #f1f3f8; padding: 6px 0; }
details.group > summary { cursor: pointer; list-style: none; }
details.group > summary::-webkit-details-marker { display: none; }
details.group > summary .name::before { content: '▸'; color: var(--muted); display: inline-block; width: 16px; }
details.group[open] > summary .name::before { content: '▾'; }
.group-body { padding: 6px 0 4px 12px; }
.test { padding: 6px 0; border-bottom: 1px dashed #eef0f5; }
.test:last-child { border-bottom: 0; }
.test ul { margin: 2px 0 0; padding-left: 18px; color: #334155; }
.sources { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; margin-bottom: 14px; }
.source { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.source .n { font-size: 22px; font-weight: 650; }
.source .cats { color: var(--muted); font-size: 12.5px; margin-top: 4px; }
.trace { border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin-top: 12px; scroll-margin-top: 12px; }
.trace:target { border-color: var(--accent); box-shadow: 0 0 0 3px #c7d2fe; }
.trace h3 { overflow-wrap: anywhere; }
.trace .meta { color: var(--muted); font-size: 12.5px; margin: 3px 0 8px; overflow-wrap: anywhere; }
.trace .badges { display: flex; gap: 6px; flex-wrap: wrap; margin-bottom: 8px; }
.answer { white-space: pre-wrap; overflow-wrap: anywhere; background: #f8fafc; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.timeline { margin-top: 10px; border: 1px solid var(--line); border-radius: 8px; padding: 6px 8px; }
.tl-axis { display: flex; justify-content: space-between; margin-left: 40%; margin-right: 64px; color: var(--muted); font-size: 11px; border-bottom: 1px solid var(--line); padding-bottom: 2px; }
details.span > summary { display: grid; grid-template-columns: 40% 1fr 64px; align-items: center; cursor: pointer; list-style: none; padding: 3px 0; border-radius: 4px; }
details.span > summary::-webkit-details-marker { display: none; }
details.span > summary:hover { background: #f8fafc; }
details.span[open] > summary { background: #eef2ff; }
.sp-label { display: flex; align-items: center; gap: 6px; min-width: 0; padding-right: 8px; }
.sp-text { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 12.5px; }
.kind-tag { flex: none; font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; color: #fff; border-radius: 4px; padding: 0 5px; min-width: 42px; text-align: center; background: var(--turn); }
.kind-model_call .kind-tag, .kind-model_call .bar { background: var(--model); }
.kind-tool_call .kind-tag, .kind-tool_call .bar { background: var(--tool); }
.kind-hook .kind-tag, .kind-hook .bar { background: var(--hook); }
.kind-message .kind-tag, .kind-message .bar { background: var(--msg); }
.kind-error .kind-tag { background: var(--error); }
.kind-compaction .kind-tag, .kind-compaction .bar { background: var(--compaction); }
.track { position: relative; height: 14px; background: repeating-linear-gradient(90deg, transparent 0 calc(25% - 1px), #eef0f5 calc(25% - 1px) 25%); border-radius: 3px; }
.bar { position: absolute; top: 2px; bottom: 2px; min-width: 3px; border-radius: 3px; background: var(--turn); }
details.span.instant .bar { top: 0; bottom: 0; width: 3px !important; }
details.span.failed .bar { background: var(--error); box-shadow: 0 0 0 2px #fecaca; }
details.span.failed .sp-text { color: var(--bad); font-weight: 600; }
.err-flag { flex: none; color: var(--bad); font-size: 11.5px; font-weight: 700; }
.sp-dur { text-align: right; color: var(--muted); font-size: 11.5px; font-variant-numeric: tabular-nums; }
.span-body { padding: 6px 4px 12px 12px; border-left: 3px solid #c7d2fe; margin: 4px 0 8px 6px; }
.span-meta { color: var(--muted); font-size: 12px; margin: 0; overflow-wrap: anywhere; }
.span-error { background: var(--bad-bg); color: #7f1d1d; border-radius: 6px; padding: 6px 10px; margin-top: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 28px; }
@media print { nav.sections { display: none; } section.block { box-shadow: none; } }
`;
