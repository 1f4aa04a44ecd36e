// A fast OTLP/HTTP collector stand-in for benchmarks: reads each export and answers 200 with an
// empty ExportTraceServiceResponse. GET /stats -> {"exports":n,"bytes":n}.
// usage: node otlp_sink.mjs PORT
import http from 'node:http';

let exports = 0;
let bytes = 0;
http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ exports, bytes }));
    return;
  }
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('end', () => {
    exports += 1;
    res.setHeader('content-type', 'application/x-protobuf');
    res.end();
  });
}).listen(Number(process.argv[2]), '127.0.0.1');
