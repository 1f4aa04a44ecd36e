// Short, readable numbers for axes, legends and tiles.

export function number(value) {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return trim(value, 1);
  if (abs >= 1 || abs === 0) return trim(value, 2);
  return trim(value, 3);
}

// Seconds as µs, ms or s.
export function duration(seconds) {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds === 0) return '0';
  if (seconds < 1e-3) return `${trim(seconds * 1e6, 0)} µs`;
  if (seconds < 1) return `${number(seconds * 1e3)} ms`;
  if (seconds < 120) return `${number(seconds)} s`;
  return `${number(seconds / 60)} min`;
}

export function bytes(value) {
  if (!Number.isFinite(value)) return '–';
  if (value >= 2 ** 30) return `${trim(value / 2 ** 30, 2)} GiB`;
  if (value >= 2 ** 20) return `${trim(value / 2 ** 20, 1)} MiB`;
  if (value >= 2 ** 10) return `${trim(value / 2 ** 10, 0)} KiB`;
  return `${value.toFixed(0)} B`;
}

export function usd(value) {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '$0';
  if (Math.abs(value) < 0.01) return `$${value.toPrecision(2)}`;
  return `$${value.toFixed(2)}`;
}

export function percent(ratio) {
  if (!Number.isFinite(ratio)) return '–';
  return `${trim(ratio * 100, ratio < 0.1 ? 2 : 1)}%`;
}

export function uptime(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${Math.floor(seconds % 60)}s`;
  return `${Math.floor(seconds)}s`;
}

export function clock(ms) {
  const t = new Date(ms);
  return [t.getHours(), t.getMinutes(), t.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

function trim(value, digits = 1) {
  return String(Number(value.toFixed(digits)));
}
