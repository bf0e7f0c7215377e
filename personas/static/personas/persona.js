// Small trend lines of each linked segment's size (Chart.js, loaded by the page).
document.querySelectorAll("canvas[data-trend]").forEach((canvas) => {
  const data = JSON.parse(document.getElementById(canvas.dataset.trend).textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{ label: "Members", data: data.sizes, borderColor: "#3056d3", backgroundColor: "#3056d3", tension: 0.25, pointRadius: 2 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { x: { display: false }, y: { beginAtZero: false, ticks: { maxTicksLimit: 3 } } },
    },
  });
});

// The print button prints the card as it is laid out for paper (see the print rules in persona.css).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
