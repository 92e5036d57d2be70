"use strict";
// A webhook receiver made of @zoom/rivet's own code: rivet's HttpReceiver (the receiver a Meetings client
// starts by default: `new MeetingsS2SAuthClient({webhooksSecretToken, port}).start()`) verifies each POST
// with rivet's CommonHttpRequest.isEventVerified (HMAC over `v0:{ts}:{JSON.stringify(parsed body)}`) and
// answers `endpoint.url_validation` with rivet's hashUrlValidationEvent. Only the event emitter is ours,
// so that every accepted event is printed whatever its name.
//
// Usage: node rivet_receiver.cjs <port> <webhooks secret token> [endpoint path, default /zoom/events]
//   port 0 picks a free port.
// stdout, one JSON document per line:
//   {"listening": <port>, "path": "/zoom/events", "rivet": "0.4.0"}   once, when ready
//   {"accepted": <the event as rivet parsed it: {event, payload, event_ts}>}
//   {"url_validation": {"plainToken": ..., "encryptedToken": ...}}   rivet's answer to a challenge
// stderr, one JSON document per line: {"rejected": <status>, "error": <rivet's message or null>}

const path = require("node:path");
const { createRequire } = require("node:module");

const rivetEntry = require.resolve("@zoom/rivet/meetings");
const { HttpReceiver, LogLevel } = require(rivetEntry);
const rivetVersion = createRequire(rivetEntry)(path.join(path.dirname(rivetEntry), "..", "package.json")).version;

const [portArg, secret, endpoint = "/zoom/events"] = process.argv.slice(2);
if (portArg === undefined || !secret) {
  process.stderr.write("usage: node rivet_receiver.cjs <port> <webhooks secret token> [path]\n");
  process.exit(2);
}

const line = (stream, value) => stream.write(`${JSON.stringify(value)}\n`);

// Rivet answers every request through writeResponse; watching it is how rejections and challenges are seen.
class LoggingReceiver extends HttpReceiver {
  writeResponse(res, statusCode, bodyContent, setCookie) {
    if (statusCode !== 200) {
      line(process.stderr, { rejected: statusCode, error: bodyContent?.error ?? null });
    } else if (typeof bodyContent?.encryptedToken === "string") {
      line(process.stdout, { url_validation: bodyContent });
    }
    return super.writeResponse(res, statusCode, bodyContent, setCookie);
  }
}

const receiver = new LoggingReceiver({
  port: Number(portArg),
  webhooksSecretToken: secret,
  endpoints: endpoint,
  logLevel: LogLevel.ERROR,
});
receiver.init({ eventEmitter: { emit: async (_name, event) => line(process.stdout, { accepted: event }) } });

receiver.start().then(
  (server) => line(process.stdout, { listening: server.address().port, path: endpoint, rivet: rivetVersion }),
  (error) => {
    process.stderr.write(`rivet receiver did not start: ${error.message}\n`);
    process.exit(1);
  },
);

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => process.exit(0));
}
