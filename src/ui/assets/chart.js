// Line charts of time series drawn on a canvas: no library, sized to the canvas' box and sharp
// on high-density screens.

export const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777',
  '#65a30d', '#64748b'];

const AXIS_COLOR = '#6b7280';
const GRID_COLOR = '#e5e7eb';
const FONT = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
const MARGIN = { left: 52, right: 10, top: 10, bottom: 22 };
const TIME_STEPS_S = [5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

// Draws `series` ([{ color, points: [[ms, value]] }]; non-finite values leave gaps) over the
// time range [from, to] with the y axis from 0, labelled by `format`. Returns how many points
// were drawn.
export function drawChart(canvas, series, { from, to, format, clock }) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * dpr)) canvas.width = Math.round(width * dpr);
  if (canvas.height !== Math.round(height * dpr)) canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;

  let max = 0;
  for (const s of series)
    for (const [t, v] of s.points) if (t >= from && Number.isFinite(v)) max = Math.max(max, v);
  const { top, step } = yScale(max);
  const plot = { left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top,
    bottom: height - MARGIN.bottom };
  const x = (t) => plot.left + ((t - from) / (to - from)) * (plot.right - plot.left);
  const y = (v) => plot.bottom - (v / top) * (plot.bottom - plot.top);

  ctx.lineWidth = 1;
  ctx.fillStyle = AXIS_COLOR;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let v = 0; v <= top + step / 2; v += step) {
    const py = Math.round(y(v)) + 0.5;
    ctx.strokeStyle = GRID_COLOR;
    ctx.beginPath();
    ctx.moveTo(plot.left, py);
    ctx.lineTo(plot.right, py);
    ctx.stroke();
    ctx.fillText(format(v), plot.left - 6, py);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const span = (to - from) / 1000;
  const stepS = TIME_STEPS_S.find((s) => span / s <= 5) ?? TIME_STEPS_S.at(-1);
  for (let t = Math.ceil(from / (stepS * 1000)) * stepS * 1000; t <= to; t += stepS * 1000) {
    const px = x(t);
    if (px < plot.left + 20 || px > plot.right - 20) continue;
    ctx.fillText(clock(t), px, plot.bottom + 6);
  }

  let drawn = 0;
  ctx.lineWidth = 1.75;
  ctx.lineJoin = 'round';
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.beginPath();
    let run = [];
    const endRun = () => {
      if (run.length === 1) ctx.fillRect(run[0][0] - 2, run[0][1] - 2, 4, 4);
      run = [];
    };
    for (const [t, v] of s.points) {
      if (t < from || !Number.isFinite(v)) {
        endRun();
        continue;
      }
      const point = [x(t), y(v)];
      if (run.length === 0) ctx.moveTo(...point);
      else ctx.lineTo(...point);
      run.push(point);
      drawn++;
    }
    endRun();
    ctx.stroke();
  }
  if (drawn === 0) {
    ctx.fillStyle = AXIS_COLOR;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('no data yet', (plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2);
  }
  return drawn;
}

// A y axis from 0 to a round number above `max`, in about four round steps.
function yScale(max) {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  return { top: Math.ceil(max / step) * step, step };
}
