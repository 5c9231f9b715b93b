#!/usr/bin/env node
// Run the graphql-http "GraphQL over HTTP" server audit suite against a live URL.
//
// Usage: node audit.mjs <url> [--timeout-ms N]
//
// Prints ONE JSON document on stdout: an array with one entry per audit item
//   {id, name, status, reason, httpStatus, contentType}
// where `name` starts with "MUST" / "SHOULD" / "MAY" and `status` is the
// graphql-http verdict:
//   "ok"     - passed
//   "error"  - a MUST item failed
//   "warn"   - a SHOULD item failed
//   "notice" - a MAY item failed (graphql-http's own level for optional items)
// `reason` is null for "ok". `httpStatus`/`contentType` describe the response
// that made the item fail (null when passed or not available).
//
// Exit codes:
//   0 - the audit ran (whatever the results; the Python test judges them)
//   2 - bad usage
//   3 - the server could not be reached (connection refused, DNS, timeout)
import { serverAudits } from 'graphql-http';

function usage(msg) {
  if (msg) process.stderr.write(`audit.mjs: ${msg}\n`);
  process.stderr.write('usage: node audit.mjs <url> [--timeout-ms N]\n');
  process.exit(2);
}

const args = process.argv.slice(2);
let url = null;
let timeoutMs = 10000;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--timeout-ms') {
    timeoutMs = Number(args[++i]);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) usage('bad --timeout-ms');
  } else if (a === '-h' || a === '--help') {
    usage();
  } else if (url === null) {
    url = a;
  } else {
    usage(`unexpected argument ${a}`);
  }
}
if (!url) usage('missing <url>');
try {
  new URL(url);
} catch {
  usage(`not a URL: ${url}`);
}

// Every request the audit makes gets a timeout so a hung server cannot hang the test.
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });

// Reachability probe: any HTTP response at all (even 4xx/5xx) means "reachable".
try {
  const res = await fetchFn(url, { method: 'GET', headers: { accept: 'application/json' } });
  await res.arrayBuffer().catch(() => undefined);
} catch (err) {
  const cause = err && err.cause ? ` (${err.cause.code || err.cause.message || err.cause})` : '';
  process.stderr.write(`audit.mjs: server not reachable at ${url}: ${err && err.message}${cause}\n`);
  process.exit(3);
}

const audits = serverAudits({ url, fetchFn });
// Run each audit on its own: graphql-http's auditServer() uses Promise.all, so one
// fatal (non-assertion) error would lose every other result.
const results = await Promise.all(
  audits.map(async ({ id, name, fn }) => {
    try {
      const r = await fn();
      const res = r.response;
      return {
        id: r.id,
        name: r.name,
        status: r.status,
        reason: r.status === 'ok' ? null : String(r.reason),
        httpStatus: res && typeof res.status === 'number' ? res.status : null,
        contentType: res && res.headers ? res.headers.get('content-type') : null,
      };
    } catch (err) {
      // A fatal error inside one audit (e.g. the connection dropped, timeout).
      return {
        id,
        name,
        status: name.startsWith('MUST') ? 'error' : name.startsWith('SHOULD') ? 'warn' : 'notice',
        reason: `audit crashed: ${err && err.message ? err.message : String(err)}`,
        httpStatus: null,
        contentType: null,
      };
    }
  }),
);

process.stdout.write(JSON.stringify(results, null, 2) + '\n');
process.exit(0);
