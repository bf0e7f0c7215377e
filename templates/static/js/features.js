// The Features page's chart: customers per RFM group, from the json_script the page renders.
const rfmSeries = document.getElementById("rfm-series");
if (rfmSeries) {
  const data = JSON.parse(rfmSeries.textContent);
  new Chart(document.getElementById("rfm-chart"), {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "Customers", data: data.counts, backgroundColor: "#3056d3" }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      // Whole customers only: without this a small chart counts in tenths.
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
