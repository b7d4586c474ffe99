// The report page's script: runs in the browser, reads the embedded JSON and draws the
// tables, uPlot charts and canvas heatmaps. Inlined into report.html by render_html.ts.
/* global uPlot */
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("report-data").textContent);
  const REASON_COLORS = {
    signal: "#2563eb",
    sl: "#dc2626",
    tsl: "#f97316",
    tp: "#16a34a",
    open: "#6b7280",
  };
  const REASON_LABELS = {
    signal: "exit: signal (reversal)",
    sl: "exit: stop-loss",
    tsl: "exit: trailing stop",
    tp: "exit: take-profit",
    open: "still open",
  };
  const PCT = new Set([
    "total_return",
    "max_drawdown",
    "win_rate",
    "avg_trade_return",
    "exposure",
  ]);
  const TABLE_METRICS = [
    "sharpe",
    "psr",
    "dsr",
    "plateau_score",
    "total_return",
    "max_drawdown",
    "win_rate",
    "profit_factor",
    "avg_trade_return",
    "exposure",
    "n_trades",
    "n_exit_sl",
    "n_exit_tsl",
    "n_exit_tp",
    "final_value",
  ].filter((m) => D.metricNames.includes(m));
  const state = {
    view: 0,
    config: null,
    sortCol: null,
    sortDir: -1,
    metric: null,
    // in the "All symbols" view: the symbol whose charts are shown ("*" = all, stacked)
    chartSymbol: null,
  };
  const charts = [];
  // the live uPlot instances, for the browser test (zoom sync)
  globalThis.reportCharts = charts;
  let syncing = false;

  // delta-encoded times (see LinePayload in build_payload.ts) to epoch seconds
  function times(line) {
    const out = new Float64Array(line.dt.length);
    let t = line.t0;
    for (let i = 0; i < out.length; i++) {
      t = Math.round((t + line.dt[i]) * 1000) / 1000;
      out[i] = t;
    }
    return out;
  }

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children || []) if (c) e.appendChild(c);
    return e;
  }

  function fmtNum(v, digits) {
    if (v === null || v === undefined) return "–";
    if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
    return v.toLocaleString("en-US", { maximumFractionDigits: digits ?? 4 });
  }
  function fmtMetric(name, v) {
    if (v === null || v === undefined) return "–";
    if (PCT.has(name)) return (v * 100).toFixed(2) + " %";
    return fmtNum(v, 3);
  }
  function fmtParam(name, v) {
    if (v === null || v === undefined) return "off";
    if (name === "sl_trail") return v ? "on" : "off";
    return fmtNum(v, 6);
  }
  function fmtDate(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return "–";
    return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }
  function fmtDuration(ms) {
    if (!isFinite(ms)) return "–";
    if (ms < 1000) return ms.toFixed(0) + " ms";
    if (ms < 120000) return (ms / 1000).toFixed(2) + " s";
    return (ms / 60000).toFixed(1) + " min";
  }

  // ---------------------------------------------------------------- summary
  function renderSummary() {
    const s = D.summary;
    const items = [
      ["Symbols", s.symbols.join(", ") || "–"],
      [
        "Bars",
        s.symbols.map((x) => x + ": " + fmtNum(s.bars[x])).join(", ") || "–",
      ],
      ["From", fmtDate(s.startMs)],
      ["To", fmtDate(s.endMs)],
      ["Grid size", fmtNum(s.gridSize) + " configs"],
      ["Ranked by", s.rankBy],
      ["Runtime", fmtDuration(s.runtimeMs)],
    ];
    for (const [k, v] of Object.entries(s.costs)) items.push(["Cost: " + k, v]);
    for (const [k, v] of Object.entries(s.extra)) {
      items.push([k.replace(/_/g, " "), v]);
    }
    const kv = el("div", { class: "kv" });
    for (const [k, v] of items) {
      kv.appendChild(
        el("div", {}, [
          el("span", { class: "k", text: k }),
          el("span", { class: "v", text: v }),
        ]),
      );
    }
    const lists = el("div", { class: "gridlists" });
    lists.appendChild(document.createTextNode("Grid: "));
    for (const [k, vals] of Object.entries(s.grid)) {
      lists.appendChild(
        el("code", {
          text: k + " = [" + vals.map((v) => fmtParam(k, v)).join(", ") + "]",
        }),
      );
      lists.appendChild(document.createTextNode(" "));
    }
    const sec = document.getElementById("summary");
    sec.appendChild(kv);
    sec.appendChild(lists);
  }

  // ---------------------------------------------------------------- tabs and table
  function view() {
    return D.views[state.view];
  }
  function varyingParams() {
    const out = [];
    D.paramNames.forEach((p, i) => {
      const vals = D.summary.grid[p];
      const rows = view().rows;
      const distinct = new Set(rows.map((r) => r.params[i]));
      if ((vals && vals.length > 1) || distinct.size > 1) out.push(i);
    });
    return out;
  }
  // a config's curves, in the run's symbol order
  function curvesOf(config, symbol) {
    const order = D.summary.symbols;
    return D.curves.filter((c) =>
      c.config === config && (symbol === "ALL" || c.symbol === symbol)
    ).sort((a, b) => order.indexOf(a.symbol) - order.indexOf(b.symbol));
  }

  function renderTabs() {
    const tabs = document.getElementById("tabs");
    tabs.textContent = "";
    D.views.forEach((v, i) => {
      tabs.appendChild(el("button", {
        class: i === state.view ? "active" : "",
        "data-view": v.symbol,
        text: v.label + " (" + fmtNum(v.rankedRows) + ")",
        onclick: () => selectView(i),
      }));
    });
  }

  function renderTable() {
    const v = view();
    const params = varyingParams();
    const cols = [
      { key: "rank", label: "#", get: (r) => r.rank, fmt: (x) => String(x) },
      {
        key: "config",
        label: "config",
        get: (r) => r.config,
        fmt: (x) => String(x),
      },
    ];
    for (const i of params) {
      const name = D.paramNames[i];
      cols.push({
        key: "p:" + name,
        label: name,
        param: true,
        get: (r) => r.params[i],
        fmt: (x) => fmtParam(name, x),
      });
    }
    for (const m of TABLE_METRICS) {
      const i = D.metricNames.indexOf(m);
      cols.push({
        key: "m:" + m,
        label: m.replace(/_/g, " "),
        get: (r) => r.metrics[i],
        fmt: (x) => fmtMetric(m, x),
      });
    }
    if (v.rows.some((r) => r.flags)) {
      cols.push({
        key: "flags",
        label: "flags",
        get: (r) => r.flags || null,
        fmt: (x) => x ? x.replace(/;/g, ", ") : "",
      });
    }
    const rows = v.rows.slice();
    if (state.sortCol !== null) {
      const col = cols.find((c) => c.key === state.sortCol);
      if (col) {
        rows.sort((a, b) => {
          const x = col.get(a), y = col.get(b);
          if (x === y) return a.rank - b.rank;
          if (x === null) return 1;
          if (y === null) return -1;
          return (x < y ? -1 : 1) * state.sortDir;
        });
      }
    }
    const thead = el(
      "tr",
      {},
      cols.map((c) => {
        const cls = [
          c.param ? "param" : "",
          state.sortCol === c.key
            ? (state.sortDir < 0 ? "sorted-desc" : "sorted-asc")
            : "",
        ].join(" ");
        return el("th", {
          class: cls,
          "data-col": c.key,
          title: "Sort by " + c.label,
          text: c.label,
          onclick: () => {
            if (state.sortCol === c.key) state.sortDir = -state.sortDir;
            else {
              state.sortCol = c.key;
              state.sortDir = c.key === "rank" || c.key === "config" ? 1 : -1;
            }
            renderTable();
          },
        });
      }),
    );
    const tbody = el("tbody");
    for (const r of rows) {
      const has = curvesOf(r.config, v.symbol).length > 0;
      const tr = el("tr", {
        "data-config": String(r.config),
        class: (r.config === state.config ? "selected " : "") +
          (has ? "has-curves" : ""),
        title: has
          ? "Show the charts of config " + r.config
          : "No curves embedded for this config (only the top configs of each ranking)",
        onclick: () => selectConfig(r.config),
      }, cols.map((c) => el("td", { text: c.fmt(c.get(r)) })));
      tbody.appendChild(tr);
    }
    const table = el("table", { id: "ranked" }, [
      el("thead", {}, [thead]),
      tbody,
    ]);
    const wrap = document.getElementById("table");
    wrap.textContent = "";
    wrap.appendChild(table);
    document.getElementById("table-note").textContent = "Showing the top " +
      v.rows.length + " of " +
      fmtNum(v.rankedRows) + " ranked configs" +
      (v.symbol === "ALL" ? " (mean over symbols; trade counts summed)" : "") +
      ". Click a header to sort, a row to show its charts (bold rows have curves" +
      (v.symbol === "ALL" ? "; pick a symbol above the charts" : "") + ").";
  }

  // ---------------------------------------------------------------- charts
  function destroyCharts() {
    while (charts.length) charts.pop().destroy();
  }
  function chartWidth() {
    return Math.max(400, document.getElementById("charts").clientWidth - 8);
  }
  function syncHooks(group) {
    return {
      setScale: [(u, key) => {
        if (key !== "x" || syncing) return;
        syncing = true;
        const { min, max } = u.scales.x;
        for (const o of group) if (o !== u) o.setScale("x", { min, max });
        syncing = false;
      }],
    };
  }
  function makeChart(target, group, opts, data) {
    const hooks = Object.assign({}, opts.hooks || {}, syncHooks(group));
    const u = new uPlot(
      Object.assign({}, opts, {
        width: chartWidth(),
        cursor: { sync: { key: "t" + group.id }, drag: { x: true, y: false } },
        scales: { x: { time: true } },
        hooks,
      }),
      data,
      target,
    );
    group.push(u);
    charts.push(u);
    return u;
  }
  function drawMarkers(trades) {
    return [(u) => {
      const ctx = u.ctx;
      const [x0, x1] = [u.scales.x.min, u.scales.x.max];
      const s = 4.5 * devicePixelRatio;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      for (let i = 0; i < trades.entryT.length; i++) {
        const et = trades.entryT[i], xt = trades.exitT[i];
        if (et <= x1 && et >= x0) {
          const x = u.valToPos(et, "x", true),
            y = u.valToPos(trades.entryP[i], "y", true);
          // long: ▲ under the entry price, short: ▼ above it (exits stay visible)
          const o = trades.dir[i] > 0 ? 1.6 * s : -1.6 * s;
          ctx.fillStyle = trades.dir[i] > 0 ? "#111827" : "#7c3aed";
          ctx.strokeStyle = "#ffffff";
          ctx.lineWidth = devicePixelRatio;
          ctx.beginPath();
          if (trades.dir[i] > 0) {
            ctx.moveTo(x, y + o - s);
            ctx.lineTo(x - s, y + o + s);
            ctx.lineTo(x + s, y + o + s);
          } else {
            ctx.moveTo(x, y + o + s);
            ctx.lineTo(x - s, y + o - s);
            ctx.lineTo(x + s, y + o - s);
          }
          ctx.closePath();
          ctx.fill();
          ctx.stroke();
        }
        if (xt <= x1 && xt >= x0) {
          const x = u.valToPos(xt, "x", true),
            y = u.valToPos(trades.exitP[i], "y", true);
          ctx.fillStyle = REASON_COLORS[trades.reason[i]] || "#a855f7";
          ctx.beginPath();
          ctx.arc(x, y, s * 0.8, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
      ctx.restore();
    }];
  }
  function markerLegend(trades) {
    const counts = {};
    for (const r of trades.reason) counts[r] = (counts[r] || 0) + 1;
    const items = [
      el("span", {}, [
        el("i", { class: "tri long" }),
        document.createTextNode("long entry"),
      ]),
      el("span", {}, [
        el("i", { class: "tri short" }),
        document.createTextNode("short entry"),
      ]),
    ];
    for (const [r, color] of Object.entries(REASON_COLORS)) {
      const i = el("i", {
        style: "background:" + color + ";border-radius:50%",
      });
      items.push(
        el("span", {}, [
          i,
          document.createTextNode(
            (REASON_LABELS[r] || r) + " (" + (counts[r] || 0) + ")",
          ),
        ]),
      );
    }
    return el("div", { class: "legend-markers" }, items);
  }
  const dateAxis = {
    stroke: "#374151",
    grid: { stroke: "#eef2f7" },
    ticks: { stroke: "#e5e7eb" },
  };
  function yAxis(fmt) {
    return {
      stroke: "#374151",
      grid: { stroke: "#eef2f7" },
      ticks: { stroke: "#e5e7eb" },
      size: 70,
      values: (_u, vals) => vals.map(fmt),
    };
  }
  let groupId = 0;
  function renderCurve(parent, c) {
    const group = [];
    group.id = ++groupId;
    const box = el("div", {
      class: "chartgroup",
      "data-config": String(c.config),
      "data-symbol": c.symbol,
    });
    const n = c.trades.entryT.length;
    box.appendChild(el("h3", {}, [
      document.createTextNode("Config " + c.config + " on " + c.symbol + " "),
      el("span", {
        text: "· " + n + " trades" +
          (c.tradesOmitted ? " (" + c.tradesOmitted + " more not drawn)" : "") +
          " · drag to zoom, double-click to reset",
      }),
    ]));
    parent.appendChild(box);
    const price = D.prices[c.symbol];
    if (price) {
      const pbox = el("div", { class: "chart price" });
      box.appendChild(pbox);
      makeChart(pbox, group, {
        title: "Price (close) with trades",
        height: 260,
        series: [{}, {
          label: c.symbol + " close",
          stroke: "#334155",
          width: 1,
          value: (_u, v) => fmtNum(v, 6),
        }],
        axes: [dateAxis, yAxis((v) => fmtNum(v, 2))],
        hooks: { draw: drawMarkers(c.trades) },
      }, [times(price), price.v]);
      box.appendChild(markerLegend(c.trades));
    }
    const ebox = el("div", { class: "chart equity" });
    box.appendChild(ebox);
    makeChart(ebox, group, {
      title: "Equity (portfolio value)",
      height: 200,
      series: [{}, {
        label: "value",
        stroke: "#2563eb",
        width: 1.5,
        fill: "rgba(37,99,235,0.06)",
        value: (_u, v) => fmtNum(v, 2),
      }],
      axes: [dateAxis, yAxis((v) => fmtNum(v, 2))],
    }, [times(c.equity), c.equity.v]);
    const dbox = el("div", { class: "chart drawdown" });
    box.appendChild(dbox);
    makeChart(dbox, group, {
      title: "Drawdown",
      height: 160,
      series: [{}, {
        label: "drawdown",
        stroke: "#dc2626",
        width: 1,
        fill: "rgba(220,38,38,0.12)",
        value: (_u, v) => v === null ? "–" : (v * 100).toFixed(2) + " %",
      }],
      axes: [dateAxis, yAxis((v) => (v * 100).toFixed(1) + " %")],
    }, [times(c.drawdown), c.drawdown.v]);
  }

  function renderCharts() {
    destroyCharts();
    const host = document.getElementById("charts");
    host.textContent = "";
    const v = view();
    const title = document.getElementById("charts-title");
    if (state.config === null) {
      title.textContent = "Charts";
      host.appendChild(el("p", { class: "note", text: "No config selected." }));
      return;
    }
    const cs = curvesOf(state.config, v.symbol);
    title.textContent = "Charts of config " + state.config;
    if (cs.length === 0) {
      host.appendChild(el("p", {
        class: "note",
        text: "Config " + state.config +
          " has no embedded curves: the backtest writes trades and equity only for the top configs of each symbol and of the aggregate ranking.",
      }));
      return;
    }
    if (v.symbol === "ALL") {
      const missing = D.summary.symbols.filter((s) =>
        !cs.some((c) => c.symbol === s)
      );
      if (missing.length > 0) {
        host.appendChild(el("p", {
          class: "note",
          text: "No curves of config " + state.config + " on " +
            missing.join(", ") +
            " (it is not in the top of that symbol or of the aggregate ranking).",
        }));
      }
    }
    if (cs.length === 1) {
      renderCurve(host, cs[0]);
      return;
    }
    // several symbols (the "All symbols" view): a selector, one symbol or all stacked
    const symbols = cs.map((c) => c.symbol);
    if (state.chartSymbol !== "*" && !symbols.includes(state.chartSymbol)) {
      state.chartSymbol = symbols[0];
    }
    const choices = symbols.concat(["*"]);
    host.appendChild(el(
      "div",
      { class: "tabs", id: "chart-symbols" },
      choices.map((s) =>
        el("button", {
          class: s === state.chartSymbol ? "active" : "",
          "data-symbol": s,
          title: s === "*"
            ? "Show the charts of every symbol, stacked"
            : "Show the charts on " + s,
          text: s === "*" ? "All, stacked" : s,
          onclick: () => {
            state.chartSymbol = s;
            renderCharts();
          },
        })
      ),
    ));
    for (const c of cs) {
      if (state.chartSymbol === "*" || c.symbol === state.chartSymbol) {
        renderCurve(host, c);
      }
    }
  }

  // ---------------------------------------------------------------- heatmaps
  function lerp(a, b, t) {
    return Math.round(a + (b - a) * t);
  }
  function mix(c0, c1, t) {
    return "rgb(" + lerp(c0[0], c1[0], t) + "," + lerp(c0[1], c1[1], t) + "," +
      lerp(c0[2], c1[2], t) + ")";
  }
  function colorScale(values) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) {
      if (v !== null) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo === Infinity) return { lo: 0, hi: 0, color: () => "#e5e7eb" };
    const RED = [215, 48, 39], WHITE = [247, 247, 247], GREEN = [26, 152, 80];
    const PALE = [239, 246, 255], BLUE = [8, 81, 156];
    if (lo < 0 && hi > 0) {
      const m = Math.max(-lo, hi);
      return {
        lo,
        hi,
        color: (v) =>
          v < 0 ? mix(WHITE, RED, -v / m) : mix(WHITE, GREEN, v / m),
      };
    }
    const span = hi - lo || 1;
    return { lo, hi, color: (v) => mix(PALE, BLUE, (v - lo) / span) };
  }
  function drawHeatmap(h, metric) {
    const values = h.values[metric];
    const nx = h.xs.length, ny = h.ys.length;
    const left = 64, top = 8, bottom = 40, legendW = 70;
    const cw = Math.max(18, Math.min(64, Math.floor(520 / nx)));
    const ch = Math.max(14, Math.min(34, Math.floor(320 / ny)));
    const W = left + nx * cw + legendW, H = top + ny * ch + bottom;
    const canvas = el("canvas", { "data-x": h.x, "data-y": h.y });
    const dpr = globalThis.devicePixelRatio || 1;
    canvas.width = W * dpr;
    canvas.height = H * dpr;
    canvas.style.width = W + "px";
    canvas.style.height = H + "px";
    const ctx = canvas.getContext("2d");
    ctx.scale(dpr, dpr);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    const scale = colorScale(values);
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (let yi = 0; yi < ny; yi++) {
      for (let xi = 0; xi < nx; xi++) {
        const v = values[yi * nx + xi];
        const x = left + xi * cw, y = top + (ny - 1 - yi) * ch;
        ctx.fillStyle = v === null ? "#e5e7eb" : scale.color(v);
        ctx.fillRect(x, y, cw - 1, ch - 1);
        if (v !== null && cw >= 44 && ch >= 16) {
          ctx.fillStyle = "#111827";
          ctx.fillText(
            fmtMetric(metric, v).replace(" %", "%"),
            x + cw / 2,
            y + ch / 2,
          );
        }
      }
    }
    if (h.bestX >= 0 && h.bestY >= 0) {
      ctx.strokeStyle = "#111827";
      ctx.lineWidth = 2.5;
      ctx.strokeRect(
        left + h.bestX * cw + 1,
        top + (ny - 1 - h.bestY) * ch + 1,
        cw - 3,
        ch - 3,
      );
    }
    ctx.fillStyle = "#374151";
    for (let xi = 0; xi < nx; xi++) {
      ctx.fillText(
        fmtParam(h.x, h.xs[xi]),
        left + xi * cw + cw / 2,
        top + ny * ch + 10,
      );
    }
    ctx.textAlign = "right";
    for (let yi = 0; yi < ny; yi++) {
      ctx.fillText(
        fmtParam(h.y, h.ys[yi]),
        left - 6,
        top + (ny - 1 - yi) * ch + ch / 2,
      );
    }
    ctx.textAlign = "center";
    ctx.font = "bold 12px system-ui, sans-serif";
    ctx.fillText(h.x, left + (nx * cw) / 2, top + ny * ch + 28);
    ctx.save();
    ctx.translate(12, top + (ny * ch) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(h.y, 0, 0);
    ctx.restore();
    // colour legend
    const lx = left + nx * cw + 14, lh = ny * ch;
    for (let i = 0; i < lh; i++) {
      const v = scale.hi - (i / Math.max(1, lh - 1)) * (scale.hi - scale.lo);
      ctx.fillStyle = scale.color(v);
      ctx.fillRect(lx, top + i, 12, 1);
    }
    ctx.font = "10px system-ui, sans-serif";
    ctx.textAlign = "left";
    ctx.fillStyle = "#374151";
    ctx.fillText(fmtMetric(metric, scale.hi), lx + 15, top + 5);
    ctx.fillText(fmtMetric(metric, scale.lo), lx + 15, top + lh - 5);
    const tip = document.getElementById("hm-tip");
    canvas.addEventListener("mousemove", (ev) => {
      const r = canvas.getBoundingClientRect();
      const xi = Math.floor((ev.clientX - r.left - left) / cw);
      const yi = ny - 1 - Math.floor((ev.clientY - r.top - top) / ch);
      if (xi < 0 || xi >= nx || yi < 0 || yi >= ny) {
        tip.style.display = "none";
        return;
      }
      const v = values[yi * nx + xi];
      tip.textContent = h.x + " = " + fmtParam(h.x, h.xs[xi]) + ", " + h.y +
        " = " + fmtParam(h.y, h.ys[yi]) + ": " +
        (v === null ? "no ranked config" : metric + " " + fmtMetric(metric, v));
      tip.style.left = ev.clientX + 12 + "px";
      tip.style.top = ev.clientY + 12 + "px";
      tip.style.display = "block";
    });
    canvas.addEventListener("mouseleave", () => {
      tip.style.display = "none";
    });
    return canvas;
  }
  function renderHeatmaps() {
    const v = view();
    const host = document.getElementById("heatmaps");
    host.textContent = "";
    const sel = document.getElementById("hm-metric");
    if (sel.options.length === 0) {
      for (const m of D.heatmapMetrics) {
        sel.appendChild(el("option", { value: m, text: m.replace(/_/g, " ") }));
      }
      state.metric = D.heatmapMetrics[0] || null;
      sel.addEventListener("change", () => {
        state.metric = sel.value;
        renderHeatmaps();
      });
    }
    if (v.heatmaps.length === 0 || state.metric === null) {
      host.appendChild(
        el("p", {
          class: "note",
          text: "No heatmaps: fewer than two parameters vary in this grid.",
        }),
      );
      return;
    }
    const best = v.rows[0];
    document.getElementById("hm-note").textContent =
      "Other parameters held at the best config's values (config " +
      (best ? best.config : "–") +
      ", outlined). Grey cells: no ranked config. Hover a cell for its value.";
    for (const h of v.heatmaps) {
      host.appendChild(el("div", { class: "heatmap" }, [
        el("div", {
          class: "cap",
          text: state.metric.replace(/_/g, " ") + " over " + h.x + " × " + h.y,
        }),
        drawHeatmap(h, state.metric),
      ]));
    }
  }

  // ---------------------------------------------------------------- wiring
  function selectView(i) {
    state.view = i;
    state.sortCol = null;
    const v = view();
    const first = v.rows.find((r) => curvesOf(r.config, v.symbol).length > 0) ||
      v.rows[0];
    state.config = first ? first.config : null;
    renderTabs();
    renderTable();
    renderCharts();
    renderHeatmaps();
  }
  function selectConfig(config) {
    state.config = config;
    for (const tr of document.querySelectorAll("#ranked tbody tr")) {
      tr.classList.toggle("selected", Number(tr.dataset.config) === config);
    }
    renderCharts();
  }

  // ---------------------------------------------------------------- out of sample
  const SVGNS = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }
  // bars of a histogram: edges (n + 1) and counts (n)
  function histogramSvg(edges, counts, title) {
    const w = 360, h = 180, pad = 28;
    const svg = svgEl("svg", { width: w, height: h, class: "oos-plot" });
    const max = Math.max(1, ...counts);
    const bw = (w - 2 * pad) / Math.max(1, counts.length);
    counts.forEach((c, i) => {
      const bh = (h - 2 * pad) * c / max;
      const mid = (edges[i] + edges[i + 1]) / 2;
      svg.appendChild(svgEl("rect", {
        x: pad + i * bw + 1,
        y: h - pad - bh,
        width: Math.max(1, bw - 2),
        height: bh,
        fill: mid <= 0 ? "#dc2626" : "#2563eb",
      }));
    });
    const lo = edges[0], hi = edges[edges.length - 1];
    if (lo < 0 && hi > 0) {
      const x = pad + (w - 2 * pad) * (0 - lo) / (hi - lo);
      svg.appendChild(svgEl("line", {
        x1: x,
        x2: x,
        y1: pad / 2,
        y2: h - pad,
        stroke: "#111",
        "stroke-dasharray": "3 3",
      }));
    }
    const label = (x, y, t, anchor) => {
      const e = svgEl("text", { x, y, "font-size": 11, "text-anchor": anchor });
      e.textContent = t;
      svg.appendChild(e);
    };
    label(pad, h - 8, fmtNum(lo, 2), "start");
    label(w - pad, h - 8, fmtNum(hi, 2), "end");
    label(w / 2, 14, title, "middle");
    return svg;
  }
  function scatterSvg(xs, ys, title) {
    const w = 360, h = 240, pad = 32;
    const svg = svgEl("svg", { width: w, height: h, class: "oos-plot" });
    const fx = xs.filter((v) => v !== null), fy = ys.filter((v) => v !== null);
    if (fx.length === 0 || fy.length === 0) return svg;
    const x0 = Math.min(...fx), x1 = Math.max(...fx);
    const y0 = Math.min(0, ...fy), y1 = Math.max(0, ...fy);
    const px = (v) => pad + (w - 2 * pad) * (v - x0) / ((x1 - x0) || 1);
    const py = (v) => h - pad - (h - 2 * pad) * (v - y0) / ((y1 - y0) || 1);
    svg.appendChild(svgEl("line", {
      x1: pad,
      x2: w - pad,
      y1: py(0),
      y2: py(0),
      stroke: "#999",
    }));
    for (let i = 0; i < xs.length; i++) {
      if (xs[i] === null || ys[i] === null) continue;
      svg.appendChild(svgEl("circle", {
        cx: px(xs[i]),
        cy: py(ys[i]),
        r: 2,
        fill: ys[i] < 0 ? "#dc2626" : "#2563eb",
        "fill-opacity": 0.5,
      }));
    }
    const label = (x, y, t, anchor) => {
      const e = svgEl("text", { x, y, "font-size": 11, "text-anchor": anchor });
      e.textContent = t;
      svg.appendChild(e);
    };
    label(w / 2, 14, title, "middle");
    label(w / 2, h - 6, "in-sample Sharpe of the chosen config", "middle");
    label(pad, h - pad + 12, fmtNum(x0, 2), "start");
    label(w - pad, h - pad + 12, fmtNum(x1, 2), "end");
    label(4, py(y1) + 4, fmtNum(y1, 2), "start");
    label(4, py(y0), fmtNum(y0, 2), "start");
    return svg;
  }
  function renderOos() {
    const O = D.oos;
    if (!O) return;
    const sec = document.getElementById("oos");
    const body = document.getElementById("oos-body");
    sec.hidden = false;
    const mi = (m) => D.metricNames.indexOf(m);
    // DSR and the noise line beside each ranking's best Sharpe
    for (const v of D.views) {
      const d = O.deflation[v.symbol];
      const best = v.rows[0];
      if (!d || !best) continue;
      const sharpe = best.metrics[mi("sharpe")];
      const dsr = mi("dsr") >= 0 ? best.metrics[mi("dsr")] : null;
      const psr = mi("psr") >= 0 ? best.metrics[mi("psr")] : null;
      let text = v.label + ": best Sharpe " + fmtNum(sharpe, 2) +
        " (config " + best.config + ")";
      text += dsr === null
        ? "; DSR n/a (a mean over symbols has no single return series)"
        : "; PSR " + fmtNum(psr, 4) + ", DSR " + fmtNum(dsr, 4) +
          (dsr > 0.95 ? " (significant at 5 %)" : " (could be luck)");
      text += ". Noise alone: the best of N = " + d.trials +
        " null configs over " + fmtNum(d.bars) + " bars reaches Sharpe ~" +
        fmtNum(d.noise_best_sharpe, 2) + " (hurdle from the grid's spread: " +
        fmtNum(d.hurdle_sharpe, 2) + "; N = " + d.eligible +
        " eligible configs + " + d.prior_trials + " prior trials).";
      const bars = v.symbol in D.summary.bars
        ? D.summary.bars[v.symbol]
        : Math.min(...Object.values(D.summary.bars));
      if (bars < 1440) {
        text +=
          " Flag: every Sharpe here is annualised from less than a day of bars.";
      }
      body.appendChild(el("p", { class: "oos-line", text }));
    }
    if (O.pbo) {
      body.appendChild(el("h3", {
        text: "PBO by CSCV (S = " + O.pbo.blocks + " blocks of " +
          O.pbo.days_per_block + " UTC day(s), rule: " + O.pbo.rule + ")",
      }));
      const row = el("div", { class: "oos-row" });
      for (const [scope, p] of Object.entries(O.pbo.scopes)) {
        const box = el("div", { class: "oos-box" });
        box.appendChild(el("p", {
          class: "oos-line",
          text: scope + ": PBO " + fmtNum(p.pbo, 3) + " over " + p.splits +
            " splits of " + p.configs + " configs; degradation slope " +
            fmtNum(p.degradation.slope, 3) + " (R² " +
            fmtNum(p.degradation.r2, 3) + "), P(OOS loss) " +
            fmtNum(p.prob_loss, 3),
        }));
        box.appendChild(histogramSvg(
          p.logit_histogram.edges,
          p.logit_histogram.counts,
          "logits (≤ 0: the IS best fell below the OOS median)",
        ));
        box.appendChild(scatterSvg(
          p.scatter.is,
          p.scatter.oos,
          "OOS vs IS Sharpe per split",
        ));
        row.appendChild(box);
      }
      body.appendChild(row);
    }
    if (O.walkForward) {
      const W = O.walkForward;
      body.appendChild(el("h3", {
        text: "Walk-forward " + W.design + " (" + W.windows +
          " windows, rule " +
          W.rank_rule + ")",
      }));
      for (const [symbol, s] of Object.entries(W.symbols)) {
        const st = s.stitched;
        body.appendChild(el("p", {
          class: "oos-line",
          text: symbol + ": stitched OOS Sharpe " + fmtNum(st.sharpe, 2) +
            " (PSR " + fmtNum(st.psr, 3) + "), return " +
            fmtMetric("total_return", st.total_return) + ", max drawdown " +
            fmtMetric("max_drawdown", st.max_drawdown) + ", " + st.trades +
            " trades; WFE " + fmtNum(s.wfe, 2) + ", " +
            fmtNum(s.profitable_windows * 100, 0) +
            " % of OOS windows profitable, " + s.distinct_configs +
            " distinct configs chosen",
        }));
        if (s.stitchedCurve) {
          const host = el("div", { class: "oos-chart" });
          body.appendChild(host);
          const series = [{}, {
            label: "stitched out-of-sample",
            stroke: "#2563eb",
            width: 1.5,
          }];
          const data = [s.stitchedCurve.t, s.stitchedCurve.v];
          if (s.inSampleCurve) {
            // align the in-sample winner's points onto the stitched times
            const map = new Map();
            s.inSampleCurve.t.forEach((t, i) =>
              map.set(t, s.inSampleCurve.v[i])
            );
            data.push(
              s.stitchedCurve.t.map((t) => map.has(t) ? map.get(t) : null),
            );
            series.push({
              label: "full-sample winner (config " + s.inSampleConfig +
                ", in-sample)",
              stroke: "#9ca3af",
              width: 1,
              spanGaps: true,
            });
          }
          oosCharts.push(
            new uPlot(
              {
                width: chartWidth(),
                height: 220,
                scales: { x: { time: true } },
                series,
              },
              data,
              host,
            ),
          );
        }
        const table = el("table", { class: "oos-table" });
        const head = [
          "window",
          "OOS from",
          "config",
          "IS sharpe",
          "OOS sharpe",
          "OOS return",
          "OOS trades",
        ];
        table.appendChild(
          el("tr", {}, head.map((h) => el("th", { text: h }))),
        );
        for (const w of s.windows) {
          table.appendChild(el(
            "tr",
            {},
            [
              String(w.window),
              w.is_end.slice(0, 16).replace("T", " "),
              w.config_id === null ? "–" : String(w.config_id),
              fmtNum(w.is_sharpe, 2),
              fmtNum(w.oos_sharpe, 2),
              fmtMetric("total_return", w.oos_total_return),
              fmtNum(w.oos_trades),
            ].map((t) => el("td", { text: t })),
          ));
        }
        body.appendChild(el("div", { class: "tablewrap" }, [table]));
      }
    }
  }
  const oosCharts = [];
  globalThis.addEventListener("resize", () => {
    const w = chartWidth();
    for (const u of charts) u.setSize({ width: w, height: u.height });
    for (const u of oosCharts) u.setSize({ width: w, height: u.height });
  });
  renderSummary();
  renderOos();
  selectView(0);
  document.body.dataset.renderMs = String(Math.round(performance.now()));
  document.body.dataset.ready = "true";
})();
