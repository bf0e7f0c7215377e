// A clustering run's charts, and a segmentation's sizes over time, from the json_script the pages render.
const chartsData = document.getElementById("clustering-charts");
const sizeHistory = document.getElementById("size-history");
const COLOURS = ["#3056d3", "#d66e1e", "#2e9e5b", "#b8336a", "#7b5ea7", "#c9a227", "#1f9bb4", "#6b7280"];
const plain = { responsive: true, maintainAspectRatio: false, animation: false };

function colourOf(position) {
  return COLOURS[position % COLOURS.length];
}

if (chartsData) {
  const charts = JSON.parse(chartsData.textContent);
  const kCanvas = document.getElementById("k-chart");
  if (kCanvas) {
    new Chart(kCanvas, {
      type: "line",
      data: {
        labels: charts.k.k,
        datasets: [
          { label: "Silhouette (higher is better)", data: charts.k.silhouette, borderColor: colourOf(0), yAxisID: "y" },
          { label: "Davies-Bouldin (lower is better)", data: charts.k.davies_bouldin, borderColor: colourOf(1), yAxisID: "y" },
          { label: "Calinski-Harabasz (higher is better)", data: charts.k.calinski_harabasz, borderColor: colourOf(2), yAxisID: "y2" },
        ],
      },
      options: { ...plain, scales: { x: { title: { display: true, text: "k" } }, y: { position: "left" }, y2: { position: "right", grid: { drawOnChartArea: false } } } },
    });
    new Chart(document.getElementById("elbow-chart"), {
      type: "line",
      data: { labels: charts.elbow.k, datasets: [{ label: "Inertia", data: charts.elbow.inertia, borderColor: colourOf(0) }] },
      options: {
        ...plain,
        plugins: { title: { display: charts.elbow.knee !== null, text: `Elbow at k = ${charts.elbow.knee}` } },
        scales: { x: { title: { display: true, text: "k" } } },
      },
    });
  }
  new Chart(document.getElementById("size-chart"), {
    type: "bar",
    data: { labels: charts.sizes.labels, datasets: [{ label: "Members", data: charts.sizes.sizes, backgroundColor: charts.sizes.labels.map((_, i) => colourOf(i)) }] },
    options: { ...plain, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const segments = [...new Set(charts.projection.segment)];
  new Chart(document.getElementById("projection-chart"), {
    type: "scatter",
    data: {
      datasets: segments.map((name, i) => ({
        label: name,
        backgroundColor: name === "Outliers" ? "#9ca3af" : colourOf(charts.sizes.labels.indexOf(name)),
        pointRadius: 2,
        data: charts.projection.x.flatMap((x, row) => (charts.projection.segment[row] === name ? [{ x, y: charts.projection.y[row] }] : [])),
      })),
    },
    options: { ...plain, scales: { x: { title: { display: true, text: "first component" } }, y: { title: { display: true, text: "second component" } } } },
  });
  // Each segment's members' silhouettes side by side, highest first: a bar per sampled member.
  const bars = charts.silhouette.clusters.flatMap((cluster) => cluster.values.map((value) => ({ value, segment: cluster.segment })));
  new Chart(document.getElementById("silhouette-chart"), {
    type: "bar",
    data: {
      labels: bars.map((bar) => bar.segment),
      datasets: [{ label: "Silhouette", data: bars.map((bar) => bar.value), backgroundColor: bars.map((bar) => colourOf(charts.sizes.labels.indexOf(bar.segment))), barPercentage: 1, categoryPercentage: 1 }],
    },
    options: {
      ...plain,
      plugins: { legend: { display: false }, title: { display: charts.silhouette.average !== null, text: `Average silhouette ${charts.silhouette.average}` } },
      scales: { x: { ticks: { display: false } }, y: { min: -1, max: 1 } },
    },
  });
}

if (sizeHistory) {
  const history = JSON.parse(sizeHistory.textContent);
  new Chart(document.getElementById("size-history-chart"), {
    type: "line",
    data: {
      labels: history.labels,
      datasets: history.segments.map((segment, i) => ({ label: segment.name, data: segment.sizes, borderColor: colourOf(i), backgroundColor: colourOf(i) })),
    },
    options: { ...plain, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}
