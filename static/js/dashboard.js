// Draws the dashboard's charts from the JSON the page carries (no inline script).
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  // A cell the tables show as "<5" (a small cell, or one that would give a small
  // one away) is null here: no point on a line, no bar.
  var data = JSON.parse(source.textContent);
  var names = data.names;
  var colours = {
    total: "#1f4e79",
    kvinna: "#b8336a",
    man: "#2a7f62",
    unsubsidised: "#1f4e79",
    subsidised: "#6c9bd2",
    studies: "#e0a030",
    target: "#adb5bd",
    active: "#1f4e79"
  };

  function pick(rows, key) {
    return rows.map(function (row) { return row[key]; });
  }

  function percentAxis(stacked) {
    return { stacked: stacked, min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } };
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      canvas.chart = new Chart(canvas, config);
    }
  }

  draw("chart-share", {
    type: "line",
    data: {
      labels: data.labels,
      datasets: ["total", "kvinna", "man"].map(function (key) {
        return { label: names[key], data: data.share[key], borderColor: colours[key], backgroundColor: colours[key], spanGaps: false, tension: 0.2 };
      })
    },
    options: { scales: { y: percentAxis(false) } }
  });

  function mixDatasets(rows) {
    return ["unsubsidised", "subsidised", "studies"].map(function (key) {
      return { label: names[key], data: pick(rows, key), backgroundColor: colours[key] };
    });
  }

  draw("chart-mix", {
    type: "bar",
    data: { labels: data.labels, datasets: mixDatasets(data.mix) },
    options: { scales: { x: { stacked: true }, y: percentAxis(true) } }
  });

  draw("chart-job-types", {
    type: "bar",
    data: { labels: data.job_types.labels, datasets: mixDatasets(data.job_types.mix) },
    options: { indexAxis: "y", scales: { x: percentAxis(true), y: { stacked: true } } }
  });

  draw("chart-places", {
    type: "bar",
    data: {
      labels: data.places.labels,
      datasets: [
        { label: names.target, data: data.places.target, backgroundColor: colours.target },
        { label: names.active, data: data.places.active, backgroundColor: colours.active }
      ]
    }
  });
})();
