// The status page's arithmetic, run in Node on the very files the binary embeds: the parser of
// the Prometheus text format, counter rates and histogram quantiles (as Prometheus computes them),
// and the bounded ring of samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byName, bucketsBy, parseMetrics, sumBy } from '../../src/ui/assets/prometheus.js';
import { History, bucketIncrease, quantile, rates } from '../../src/ui/assets/history.js';

test('parses samples, labels with escapes, special values; skips comments and junk', () => {
  const samples = parseMetrics([
    '# HELP x_total Things.',
    '# TYPE x_total counter',
    'x_total{route="/v1/chat",status="200"} 3',
    'x_total{route="a\\"b\\\\c\\nd",status="500"} 1.5e1 1700000000000',
    'up 1',
    'h_bucket{le="+Inf"} +Inf',
    'n NaN',
    '',
    'broken{route="x} 1',
    'novalue',
    'word{a="b"} abc',
  ].join('\n'));
  assert.deepEqual(samples.map((s) => s.name), ['x_total', 'x_total', 'up', 'h_bucket', 'n']);
  assert.deepEqual(samples[0].labels, { route: '/v1/chat', status: '200' });
  assert.equal(samples[1].labels.route, 'a"b\\c\nd');
  assert.equal(samples[1].value, 15);
  assert.equal(samples[3].value, Infinity);
  assert.ok(Number.isNaN(samples[4].value));
});

test('sums series per group and gathers histogram buckets', () => {
  const families = byName(parseMetrics([
    'r_count{route="/a",status="200"} 3',
    'r_count{route="/a",status="500"} 1',
    'r_count{route="/b",status="200"} 2',
    'r_bucket{route="/a",le="0.1"} 1',
    'r_bucket{route="/a",le="+Inf"} 4',
    'r_bucket{route="/b",le="0.1"} 2',
    'r_bucket{route="/b",le="+Inf"} 2',
  ].join('\n')));
  assert.deepEqual([...sumBy(families, 'r_count', (l) => l.route)], [['/a', 4], ['/b', 2]]);
  assert.deepEqual([...sumBy(families, 'r_count', (l) => (l.status >= '500' ? l.route : null))], [['/a', 1]]);
  assert.deepEqual([...sumBy(families, 'r_count')], [['', 6]]);
  assert.deepEqual([...sumBy(families, 'missing')], []);
  const buckets = bucketsBy(families, 'r', (l) => l.route);
  assert.deepEqual([...buckets.get('/a')], [['0.1', 1], ['+Inf', 4]]);
  assert.deepEqual([...bucketsBy(families, 'r').get('')], [['0.1', 3], ['+Inf', 6]]);
});

test('quantiles interpolate within a bucket as histogram_quantile() does', () => {
  const h = new Map([['0.1', 10], ['0.5', 20], ['1', 20], ['+Inf', 20]]);
  assert.ok(Math.abs(quantile(0.5, h) - 0.1) < 1e-12);
  assert.ok(Math.abs(quantile(0.75, h) - 0.3) < 1e-12);
  assert.ok(Math.abs(quantile(0.25, h) - 0.05) < 1e-12);
  // Above the last finite bound: that bound.
  assert.equal(quantile(0.99, new Map([['1', 0], ['+Inf', 5]])), 1);
  assert.ok(Number.isNaN(quantile(0.5, new Map([['1', 0], ['+Inf', 0]]))));
  assert.ok(Number.isNaN(quantile(0.5, new Map())));
  assert.ok(Number.isNaN(quantile(0.5, new Map([['1', 3]]))), 'no +Inf bucket');
});

test('rates count new series from zero and never go negative; bucket increases merge groups', () => {
  const before = new Map([['a', 10], ['b', 5]]);
  const after = new Map([['a', 30], ['b', 2], ['c', 4]]);
  assert.deepEqual([...rates(before, after, 2)], [['a', 10], ['b', 0], ['c', 2]]);
  assert.deepEqual([...rates(before, after, 0)], []);
  const h0 = new Map([['/a', new Map([['1', 1], ['+Inf', 1]])]]);
  const h1 = new Map([['/a', new Map([['1', 3], ['+Inf', 4]])], ['/b', new Map([['1', 2], ['+Inf', 2]])]]);
  assert.deepEqual([...bucketIncrease(h0, h1)], [['1', 4], ['+Inf', 5]]);
  assert.deepEqual([...bucketIncrease(h0, h1, (g) => g === '/a')], [['1', 2], ['+Inf', 3]]);
});

test('the history keeps its last samples and finds the window before a sample', () => {
  const history = new History(3);
  for (const t of [0, 2000, 4000, 6000]) history.push({ t, values: {} });
  assert.deepEqual(history.samples.map((s) => s.t), [2000, 4000, 6000]);
  assert.equal(history.latest.t, 6000);
  assert.equal(history.windowStart(2, 10000), 0);
  assert.equal(history.windowStart(2, 2000), 1);
  assert.equal(history.windowStart(2, 1000), 1, 'at least the previous sample');
  assert.equal(history.windowStart(0, 10000), -1);
  history.clear();
  assert.equal(history.latest, undefined);
});
