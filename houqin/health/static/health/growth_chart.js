// The growth charts of a child's health page: the SD lines of the kindergarten's growth standard and the
// child's measurements, drawn with ECharts (houqin/static/vendor/echarts). The data and every word come
// from the page (json_script, translated on the server): nothing here is shown as it is written.
(function () {
  "use strict";
  var COLOURS = {
    "sd-3": "#dc3545", "sd-2": "#fd7e14", "sd-1": "#adb5bd", "sd0": "#198754",
    "sd1": "#adb5bd", "sd2": "#fd7e14", "sd3": "#dc3545"
  };

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-growth-chart"));
    if (!source || typeof echarts === "undefined") { return; }
    var chart = JSON.parse(source.textContent);
    var series = chart.lines.map(function (line) {
      return {
        name: line.name, type: "line", data: line.data, showSymbol: false, silent: true,
        lineStyle: { width: line.key === "sd0" ? 2 : 1, color: COLOURS[line.key],
                     type: (line.key === "sd-1" || line.key === "sd1") ? "dashed" : "solid" },
        itemStyle: { color: COLOURS[line.key] }
      };
    });
    series.push({
      name: chart.points_name, type: "line", data: chart.points, symbol: "circle", symbolSize: 8,
      lineStyle: { width: 2, color: "#0d6efd" }, itemStyle: { color: "#0d6efd" }, z: 10
    });
    var ages = chart.lines[0].data.map(function (p) { return p[0]; });
    var first = Math.min.apply(null, ages), last = Math.max.apply(null, ages);
    var step = last - first > 36 ? 12 : 6;
    var plot = echarts.init(element, null, { renderer: "canvas" });
    plot.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 32, bottom: 96 },
      legend: { bottom: 0, itemWidth: 16, itemHeight: 8, textStyle: { fontSize: 11 } },
      tooltip: { trigger: "item" },
      // months on the age axis, ticks every half year (every year over a long span)
      xAxis: { type: "value", name: chart.x_name, nameLocation: "middle", nameGap: 26, interval: step,
               min: Math.floor(first / step) * step, max: Math.ceil(last / step) * step, splitLine: { show: false } },
      yAxis: { type: "value", name: chart.y_name, nameLocation: "end", nameTextStyle: { align: "left" }, scale: true },
      series: series
    });
    window.addEventListener("resize", function () { plot.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-growth-chart]").forEach(draw);
  });
})();
