const seriesElement = document.getElementById("events-series");
if (seriesElement) {
  const data = JSON.parse(seriesElement.textContent);
  const palette = ["#3056d3", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#84cc16", "#ec4899"];
  const datasets = Object.entries(data.series).map(([type, counts], index) => ({
    label: type,
    data: counts,
    backgroundColor: palette[index % palette.length],
  }));
  new Chart(document.getElementById("events-chart"), {
    type: "bar",
    data: { labels: data.labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
