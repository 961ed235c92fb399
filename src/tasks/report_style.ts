/** The inline stylesheet of the evaluation report. */
export const REPORT_CSS = `
:root { --ink:#1d2330; --muted:#5f6b7a; --line:#e3e7ee; --bg:#f5f7fa; --card:#fff;
  --ok:22,140,80; --bad:214,64,52; --other:110,120,140; --prec:#3b6fd8; --rec:#17945a; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 0 0 4px; }
.sub { color: var(--muted); margin: 0; font-size: 14px; word-break: break-all; }
.sub b { color: var(--ink); font-weight: 600; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px; margin-top: 20px; }
.note { color: var(--muted); font-size: 13px; margin: 0 0 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .06em; }
.card .v { font-size: 30px; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.2; }
.card .v small { font-size: 14px; font-weight: 500; color: var(--muted); }
.meter { height: 6px; background: var(--line); border-radius: 3px; margin-top: 8px; overflow: hidden; }
.meter span { display: block; height: 100%; background: rgb(var(--ok)); }
.scroll { overflow-x: auto; padding-bottom: 6px; }
table.cm { border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums; }
.cm th { font-weight: 500; color: var(--ink); }
.cm th.row { text-align: right; padding: 0 8px 0 0; white-space: nowrap; max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
.cm th.col { vertical-align: bottom; padding: 0 0 6px; }
.cm th.col div { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; max-height: 150px;
  overflow: hidden; text-overflow: ellipsis; margin: 0 auto; }
.cm th.corner { vertical-align: bottom; text-align: right; color: var(--muted); font-size: 11px; padding: 0 8px 6px 0; }
.cm td { width: 24px; min-width: 24px; height: 24px; text-align: center; border: 1px solid #fff; color: var(--ink); }
.cm.mid td { width: 34px; min-width: 34px; height: 34px; font-size: 13px; }
.cm.big td { width: 52px; min-width: 52px; height: 52px; font-size: 15px; }
.cm.big th.row, .cm.mid th.row { font-size: 13px; } .cm.big th.col div, .cm.mid th.col div { font-size: 13px; }
.cm td.z { background: #f6f7f9; color: transparent; }
.cm td.dark { color: #fff; font-weight: 600; }
.cm td:hover, .cm th:hover { outline: 2px solid var(--ink); outline-offset: -2px; }
.cm .other { color: var(--muted); font-style: italic; }
.legend { display: flex; gap: 18px; align-items: center; font-size: 12px; color: var(--muted); margin-top: 10px; }
.legend i { display: inline-block; width: 60px; height: 10px; border-radius: 2px; vertical-align: middle; margin-right: 6px; }
table.pc { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
.pc th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; padding: 4px 8px; border-bottom: 1px solid var(--line); }
.pc td { padding: 5px 8px; border-bottom: 1px solid var(--line); }
.pc td.lbl { max-width: 360px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.pc td.n { text-align: right; width: 60px; color: var(--muted); }
.pc td.m { width: 30%; }
.bar { display: flex; align-items: center; gap: 8px; }
.bar .t { flex: 1; height: 10px; background: #edf0f4; border-radius: 5px; overflow: hidden; }
.bar .t span { display: block; height: 100%; border-radius: 5px; }
.bar .p span { background: var(--prec); } .bar .r span { background: var(--rec); }
.bar b { width: 48px; text-align: right; font-weight: 500; }
details summary { cursor: pointer; color: var(--prec); margin: 10px 0 4px; font-size: 13px; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(168px, 1fr)); gap: 14px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: #fff; }
figure .img { height: 124px; background: #eef1f5; display: flex; align-items: center; justify-content: center; }
figure img { max-width: 100%; max-height: 124px; display: block; }
figure .missing { color: var(--muted); font-size: 12px; }
figcaption { padding: 7px 9px 9px; font-size: 12px; line-height: 1.35; }
figcaption .f { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; color: var(--muted);
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: 11px; margin-bottom: 3px; }
figcaption .pl, figcaption .tl { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
figcaption .pl { color: rgb(var(--bad)); font-weight: 600; }
figcaption .tl { color: rgb(var(--ok)); }
figcaption .s { color: var(--muted); }
ul.skipped { margin: 0; padding-left: 18px; font-size: 13px; }
ul.skipped code { font-size: 12px; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
`;
