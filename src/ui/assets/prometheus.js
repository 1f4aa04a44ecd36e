// Reads the Prometheus text exposition format (0.0.4) that /metrics serves.

// Every sample of `text` as { name, labels, value }; comments, blank and malformed lines are
// skipped.
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line[0] === '#') continue;
    const sample = parseSample(line);
    if (sample) samples.push(sample);
  }
  return samples;
}

function parseSample(line) {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') i++;
  const name = line.slice(0, i);
  if (!name) return null;
  const labels = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (i >= line.length) return null;
      if (line[i] === '}') { i++; break; }
      const equals = line.indexOf('=', i);
      if (equals < 0 || line[equals + 1] !== '"') return null;
      const key = line.slice(i, equals).trim();
      let value = '';
      for (i = equals + 2; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length) {
          i++;
          value += line[i] === 'n' ? '\n' : line[i];
        } else {
          value += line[i];
        }
      }
      if (i >= line.length) return null;
      i++;  // the closing quote
      labels[key] = value;
    }
  }
  const fields = line.slice(i).trim().split(/\s+/);
  const value = parseValue(fields[0]);
  return value === null ? null : { name, labels, value };
}

function parseValue(text) {
  if (text === undefined || text === '') return null;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  return Number.isNaN(value) ? null : value;
}

// Samples grouped by metric name: Map name -> [{ labels, value }].
export function byName(samples) {
  const families = new Map();
  for (const { name, labels, value } of samples) {
    let list = families.get(name);
    if (!list) families.set(name, (list = []));
    list.push({ labels, value });
  }
  return families;
}

// The sum of `name`'s samples per group: Map key -> sum, where key = keyOf(labels) and samples
// for which keyOf returns null are left out.
export function sumBy(families, name, keyOf = () => '') {
  const sums = new Map();
  for (const { labels, value } of families.get(name) ?? []) {
    const key = keyOf(labels);
    if (key === null || !Number.isFinite(value)) continue;
    sums.set(key, (sums.get(key) ?? 0) + value);
  }
  return sums;
}

// A histogram's cumulative bucket counts per group: Map key -> Map le -> count.
export function bucketsBy(families, name, keyOf = () => '') {
  const groups = new Map();
  for (const { labels, value } of families.get(`${name}_bucket`) ?? []) {
    const key = keyOf(labels);
    if (key === null || labels.le === undefined) continue;
    let buckets = groups.get(key);
    if (!buckets) groups.set(key, (buckets = new Map()));
    buckets.set(labels.le, (buckets.get(labels.le) ?? 0) + value);
  }
  return groups;
}
