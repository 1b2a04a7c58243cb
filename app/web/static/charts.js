// Render every element with a data-figure attribute (a Plotly figure as JSON).
// Figures come from the server as JSON text in an attribute: never evaluated as code.
document.querySelectorAll("[data-figure]").forEach(function (el) {
  var fig = JSON.parse(el.getAttribute("data-figure"));
  var layout = Object.assign({}, fig.layout || {}, { autosize: true });
  Plotly.newPlot(el, fig.data || [], layout, { responsive: true, displaylogo: false });
});
