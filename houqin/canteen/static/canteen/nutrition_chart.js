// The nutrition analysis of a menu as a chart: each nutrient's share of the reference intake (%), with
// the kindergarten's target share and the reference (100 %) as lines; bars below the target in red.
// Drawn with ECharts (houqin/static/vendor/echarts); the data and every word come from the page
// (json_script, translated on the server).
(function () {
  "use strict";

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-nutrition-chart"));
    if (!source || typeof echarts === "undefined") { return; }
    var chart = JSON.parse(source.textContent);
    var plot = echarts.init(element, null, { renderer: "canvas" });
    plot.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 56, containLabel: true },
      legend: { bottom: 0, itemWidth: 16, itemHeight: 8, textStyle: { fontSize: 11 } },
      tooltip: {
        trigger: "item",
        formatter: function (p) { return p.name + "<br>" + p.value + " %（" + chart.intakes[p.dataIndex] + "）"; }
      },
      xAxis: { type: "value", name: chart.y_name, nameLocation: "middle", nameGap: 24, min: 0,
               max: function (v) { return Math.max(150, Math.ceil(v.max / 10) * 10); } },
      yAxis: { type: "category", data: chart.names, inverse: true, axisLabel: { fontSize: 11 } },
      series: [
        { name: chart.series_name, type: "bar", barMaxWidth: 16, itemStyle: { color: "#198754" },
          data: chart.values.map(function (v, i) {
            return { value: v, itemStyle: { color: chart.below[i] ? "#dc3545" : "#198754" } };
          }),
          label: { show: true, position: "right", fontSize: 10, formatter: "{c} %" } },
        { name: chart.target_name, type: "line", data: [], itemStyle: { color: "#fd7e14" },
          markLine: { symbol: "none", silent: true, label: { show: false }, lineStyle: { color: "#fd7e14", type: "dashed" },
                      data: [{ xAxis: chart.target }] } },
        { name: chart.reference_name, type: "line", data: [], itemStyle: { color: "#6c757d" },
          markLine: { symbol: "none", silent: true, label: { show: false }, lineStyle: { color: "#6c757d" },
                      data: [{ xAxis: 100 }] } }
      ]
    });
    window.addEventListener("resize", function () { plot.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-nutrition-chart]").forEach(draw);
  });
})();
