// A private CA, and certificates it signs, made with the openssl CLI for one test run only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Returns { dir, caFile, certificate(name, san) }: `san` in openssl's subjectAltName syntax
// (e.g. 'IP:127.0.0.1', 'DNS:localhost'); a certificate is { key, cert } for tls.createServer.
export function makeCa() {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
      '-days', '2', '-subj', '/CN=Sluice Test CA');
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    certificate(name, san) {
      run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`,
          '-subj', `/CN=${name}`);
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
      run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
          '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
      return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)) };
    },
  };
}
