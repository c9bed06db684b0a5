// Draws the dashboard's charts with Chart.js from the JSON the page embeds (#dashboard-data).
// Every chart has a table with the same numbers next to it, so the page reads without this script.
(function () {
  'use strict';
  var node = document.getElementById('dashboard-data');
  if (!node || !window.Chart) return;
  var data = JSON.parse(node.textContent);
  var Chart = window.Chart;
  // Colours distinguishable with the common colour-vision deficiencies (Okabe–Ito).
  var COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#1a1a1a';

  function words(value) {
    var text = String(value).replace(/_/g, ' ');
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function stackedPerDay(id, series) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: data.days,
        datasets: series.map(function (s, i) {
          return { label: words(s.key), data: s.counts, backgroundColor: COLORS[i % COLORS.length] };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Requests' } },
        },
      },
    });
  }

  function decisionTimes(id) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    var times = data.decisionTimes;
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: times.map(function (t) {
          return words(t.party);
        }),
        datasets: [
          {
            label: 'Median hours',
            data: times.map(function (t) {
              return t.medianHours;
            }),
            backgroundColor: COLORS[0],
          },
          {
            label: '90th percentile hours',
            data: times.map(function (t) {
              return t.p90Hours;
            }),
            backgroundColor: COLORS[1],
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'Hours' } } },
      },
    });
  }

  stackedPerDay('chart-status', data.requests.byStatus);
  stackedPerDay('chart-type', data.requests.byType);
  decisionTimes('chart-decisions');
})();
