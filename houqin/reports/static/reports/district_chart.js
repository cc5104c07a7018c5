// The district comparison's chart (ECharts, served from vendor/echarts): one bar chart per figure a
// supervisor watches, kindergartens along the axis, values outside their rule in red. The data comes
// from the page (json_script); no inline JavaScript (the CSP forbids it).
document.addEventListener("DOMContentLoaded", function () {
  const source = document.getElementById("district-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  const data = JSON.parse(source.textContent);
  document.querySelectorAll(".hq-chart[data-series]").forEach(function (el) {
    const s = data.series[Number(el.dataset.series)];
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      // one figure a chart: its title names it, the value axis its unit (red bars: outside the rule)
      title: { text: s.name, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 56, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.kindergartens,
               axisLabel: { interval: 0, rotate: data.kindergartens.length > 6 ? 40 : 0, fontSize: 10 } },
      yAxis: { type: "value", name: s.basis },
      series: [{
        name: s.name, type: "bar",
        data: s.values.map(function (v, i) {
          return { value: v, itemStyle: { color: s.flags[i] ? "#dc3545" : "#198754" } };
        }),
      }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
