/* TireBrain cockpit charts (Apache ECharts, served locally). Data comes from the page's
   <script id="chart-data" type="application/json">; no inline script (CSP). */
(function () {
  "use strict";
  var dataEl = document.getElementById("chart-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : null;
  var wall = document.body.classList.contains("wall");
  var ink = wall ? "#e6eefc" : "#1d2733";
  var muted = wall ? "#9fb3d1" : "#5b6776";
  var colors = { on_track: "#1e7d3a", at_risk: "#d08a00", off_track: "#b3261e", no_data: "#6b7785",
                 not_applicable: "#134f9c" };
  var charts = [];
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  var T = zh ? { actual: "实际值", plan: "计划轨迹", projection: "趋势预测", target: "目标" }
             : { actual: "Actual", plan: "Planned trajectory", projection: "Projection", target: "Target" };

  document.querySelectorAll("form[data-autosubmit] select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  document.querySelectorAll("[data-fullscreen]").forEach(function (a) {
    a.addEventListener("click", function () {
      if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen().catch(function () {}); }
    });
  });
  if (!data || typeof echarts === "undefined") { return; }

  function fmt(v) { return v === null || v === undefined ? "—" : Number(v).toLocaleString(undefined, { maximumFractionDigits: 2 }); }

  function spark(el, s) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    var color = colors[s.status] || colors.no_data;
    var series = [{ type: "line", data: s.values, smooth: true, symbolSize: 4, color: color,
                    lineStyle: { width: 2 }, areaStyle: { opacity: 0.12 }, connectNulls: false }];
    if (s.target !== null) {
      series[0].markLine = { silent: true, symbol: "none", label: { show: false },
        lineStyle: { type: "dashed", color: muted, width: 1 }, data: [{ yAxis: s.target }] };
    }
    chart.setOption({
      animation: false, grid: { left: 2, right: 2, top: 6, bottom: 14 },
      xAxis: { type: "category", data: s.years, axisLine: { show: false }, axisTick: { show: false },
               axisLabel: { fontSize: 9, color: muted, interval: 0 } },
      yAxis: { type: "value", show: false, scale: true,
               max: function (v) { return s.target !== null ? Math.max(v.max, s.target) : v.max; },
               min: function (v) { return s.target !== null ? Math.min(v.min, s.target) : v.min; } },
      tooltip: { trigger: "axis", valueFormatter: fmt, confine: true },
      series: series
    });
    charts.push(chart);
  }

  function trend(el, s) {
    var chart = echarts.init(el);
    var years = s.years.slice();
    for (var y = years[years.length - 1] + 1; y <= s.targetYear; y++) { years.push(y); }
    function at(year, v) { var a = years.map(function () { return null; }); a[years.indexOf(year)] = v; return a; }
    var actual = years.map(function (y) { var i = s.years.indexOf(y); return i < 0 ? null : s.values[i]; });
    var series = [{ name: T.actual, type: "line", data: actual, symbolSize: 7, color: colors[s.status] || "#134f9c",
                    lineStyle: { width: 3 }, label: { show: true, formatter: function (p) { return fmt(p.value); }, color: ink } }];
    if (s.target !== null && s.baseline !== null && years.indexOf(s.baselineYear) >= 0) {
      var plan = years.map(function (y) {
        if (y < s.baselineYear) { return null; }
        return s.baseline + (s.target - s.baseline) * (y - s.baselineYear) / (s.targetYear - s.baselineYear);
      });
      series.push({ name: T.plan, type: "line", data: plan, symbol: "none", color: muted,
                    lineStyle: { type: "dashed", width: 2 } });
    }
    if (s.projection !== null) {
      var last = s.years[s.years.length - 1];
      var proj = at(last, s.values[s.values.length - 1]);
      proj[years.indexOf(s.targetYear)] = s.projection;
      series.push({ name: T.projection, type: "line", data: proj, connectNulls: true, color: "#7a5cc2",
                    lineStyle: { type: "dotted", width: 2 }, symbolSize: 6 });
    }
    if (s.target !== null) {
      series.push({ name: T.target, type: "scatter", data: at(s.targetYear, s.target), symbol: "diamond",
                    symbolSize: 16, color: "#f2b632", label: { show: true, position: "top", formatter: T.target + " " + fmt(s.target), color: ink } });
    }
    chart.setOption({
      grid: { left: 60, right: 30, top: 40, bottom: 30 }, legend: { top: 0, textStyle: { color: ink } },
      tooltip: { trigger: "axis", valueFormatter: fmt },
      xAxis: { type: "category", data: years, axisLabel: { color: muted } },
      yAxis: { type: "value", scale: true, axisLabel: { color: muted } },
      series: series
    });
    charts.push(chart);
  }

  function map(el, m) {
    fetch(el.getAttribute("data-map-url")).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("shandong", geo);
      var names = {};
      geo.features.forEach(function (f) { names[f.properties.adcode] = f.properties.name; });
      var values = m.cities.map(function (c) { return { name: names[c.adcode] || c.name, value: c.value, label: c.name }; });
      var nums = values.map(function (v) { return v.value; }).filter(function (v) { return v !== null; });
      var chart = echarts.init(el);
      chart.setOption({
        title: { text: m.title, left: "center", textStyle: { fontSize: 13, color: ink } },
        tooltip: { trigger: "item", formatter: function (p) { return p.name + "<br>" + fmt(p.value); } },
        visualMap: { min: nums.length ? Math.min.apply(null, nums) : 0, max: nums.length ? Math.max.apply(null, nums) : 1,
                     calculable: true, left: 8, bottom: 8, textStyle: { color: muted },
                     inRange: { color: ["#e3ecf7", "#7fa7d9", "#134f9c", "#0b2a5a"] } },
        series: [{ type: "map", map: "shandong", roam: false, data: values, nameProperty: "name",
                   label: { show: true, fontSize: 10, color: "#1d2733" },
                   emphasis: { label: { color: "#000" }, itemStyle: { areaColor: "#f2b632" } } }]
      });
      charts.push(chart);
    });
  }

  if (data.series) {
    data.series.forEach(function (s) {
      var el = document.querySelector('.spark[data-code="' + s.code + '"]');
      if (el) { spark(el, s); }
    });
  }
  var trendEl = document.getElementById("trend");
  if (trendEl && data.years) { trend(trendEl, data); }
  var mapEl = document.getElementById("map");
  if (mapEl && data.map) { map(mapEl, data.map); }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
