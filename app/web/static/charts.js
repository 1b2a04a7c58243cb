// Render every element with a data-figure attribute (a Plotly figure as JSON).
document.querySelectorAll("[data-figure]").forEach(function (el) {
  var fig = JSON.parse(el.getAttribute("data-figure"));
  Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
});
