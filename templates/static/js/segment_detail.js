// A segment's size over time, from the json_script the detail page renders.
const sizeSeries = document.getElementById("size-series");
if (sizeSeries) {
  const data = JSON.parse(sizeSeries.textContent);
  new Chart(document.getElementById("size-chart"), {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{ label: "Members", data: data.sizes, borderColor: "#3056d3", backgroundColor: "#3056d3", tension: 0.1 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => `${data.versions[items[0].dataIndex]} · ${items[0].label}` } },
      },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },  // whole members
    },
  });
}
