"use strict";
// Drives Zoom's official Node SDK, @zoom/rivet, against a moot server through a meeting's whole life:
// token, create, get, list, update, delete, then a get (and a delete) of the deleted meeting.
// Prints ONE JSON document on stdout with what rivet returned or raised; tests/conformance/test_rivet.py
// asserts on it. Exit status 0 when the flow ran to the end (whatever the server answered), 1 otherwise.
//
// Usage: MOOT_BASE_URL=http://127.0.0.1:8000 MOOT_ACCOUNT_ID=... MOOT_CLIENT_ID=... MOOT_CLIENT_SECRET=... \
//        node rivet_flow.cjs
//
// How rivet is pointed at moot:
// - API calls: the documented `baseUrl` option (B + "/v2"); `disableReceiver: true` as no webhooks are used.
// - OAuth: rivet posts to the private constant https://zoom.us/oauth/token with the default export of the
//   axios package it requires itself. We register a request interceptor on that very axios instance
//   (resolved with createRequire from rivet's own file, so it is the copy rivet loads even if another axios
//   sits elsewhere in node_modules) and rewrite that URL to B + "/oauth/token". This was chosen over
//   handing rivet a tokenStore with a pre-fetched token because it keeps rivet's own S2SAuth code in play:
//   rivet builds the Basic header and form body, and checks moot's token response (access_token string,
//   expires_in number, scope string) exactly as it would check Zoom's.
// - Fail closed: the same interceptor rejects any request whose URL is not under B, so if a rivet upgrade
//   stopped using that axios instance nothing (least of all the test credentials) leaves for zoom.us; the
//   flow fails and `oauth_redirects` stays empty instead.

const path = require("node:path");
const { createRequire } = require("node:module");

const rivetEntry = require.resolve("@zoom/rivet/meetings");
const { MeetingsS2SAuthClient } = require(rivetEntry);
const rivetRequire = createRequire(rivetEntry);
const axios = rivetRequire("axios");
const rivetVersion = rivetRequire(path.join(path.dirname(rivetEntry), "..", "package.json")).version;

const ZOOM_OAUTH_ORIGIN = "https://zoom.us";

function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}

const BASE = env("MOOT_BASE_URL").replace(/\/+$/, "");
const observed = {
  rivet_version: rivetVersion,
  node_version: process.version,
  oauth_redirects: [],
  exchanges: [],
};

// The URL axios will request: `url` when absolute, else baseURL and url joined with one slash.
function fullUrl(config) {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(config.url)) {
    return config.url;
  }
  return `${(config.baseURL || "").replace(/\/+$/, "")}/${config.url.replace(/^\/+/, "")}`;
}

axios.interceptors.request.use((config) => {
  const target = new URL(fullUrl(config));
  if (target.origin === ZOOM_OAUTH_ORIGIN && target.pathname.startsWith("/oauth/")) {
    const to = `${BASE}${target.pathname}${target.search}`;
    observed.oauth_redirects.push({ from: target.href, to });
    config.url = to;
    config.baseURL = undefined;
  }
  const url = fullUrl(config);
  if (url !== BASE && !url.startsWith(`${BASE}/`)) {
    throw new Error(`refusing to send a request outside moot: ${config.method} ${url}`);
  }
  config.metadata = { method: String(config.method).toUpperCase(), url, query: config.params ?? null };
  return config;
});

function record(response) {
  const { metadata } = response.config;
  if (metadata) {
    observed.exchanges.push({
      ...metadata,
      status: response.status,
      content_type: response.headers["content-type"] ?? null,
      tracking_id: response.headers["x-zm-trackingid"] ?? null,
    });
  }
}

axios.interceptors.response.use(
  (response) => {
    record(response);
    return response;
  },
  (error) => {
    if (error.response) {
      record(error.response);
    }
    return Promise.reject(error);
  },
);

// What rivet hands its caller: {statusCode, data, trackingId}, or the error it threw.
async function attempt(call) {
  try {
    const { statusCode, data, trackingId } = await call();
    return { ok: true, statusCode, data, trackingId: trackingId ?? null };
  } catch (err) {
    return { ok: false, error: { name: err.name, errorCode: err.errorCode ?? null, message: err.message } };
  }
}

async function main() {
  const client = new MeetingsS2SAuthClient({
    clientId: env("MOOT_CLIENT_ID"),
    clientSecret: env("MOOT_CLIENT_SECRET"),
    accountId: env("MOOT_ACCOUNT_ID"),
    baseUrl: `${BASE}/v2`,
    disableReceiver: true,
  });
  const { meetings } = client.endpoints;

  // Token: what every endpoint call does first (S2SAuth.getToken), then what rivet stored.
  const accessToken = await client.auth.getToken();
  const stored = await client.auth.tokenStore.getLatestToken();
  observed.token = {
    access_token: accessToken,
    scopes: stored.scopes,
    expires_in: Math.round((Date.parse(stored.expirationTimeIso) - Date.now()) / 1000),
  };

  observed.create = await attempt(() =>
    meetings.createMeeting({
      path: { userId: "me" },
      body: {
        topic: "Conformance (rivet)",
        type: 2,
        start_time: "2031-07-08T09:10:11Z",
        duration: 30,
        timezone: "America/New_York",
        agenda: "Driven by @zoom/rivet",
        password: "rivet42",
        settings: { join_before_host: true, approval_type: 2, audio: "voip", auto_recording: "none" },
      },
    }),
  );
  if (!observed.create.ok) {
    return;
  }
  const meetingId = observed.create.data.id;
  observed.meeting_id = meetingId;

  observed.get = await attempt(() => meetings.getMeeting({ path: { meetingId } }));
  observed.list = await attempt(() =>
    meetings.listMeetings({
      path: { userId: "me" },
      query: { type: "scheduled", page_size: 300, timezone: "America/New_York" },
    }),
  );
  observed.update = await attempt(() =>
    meetings.updateMeeting({
      path: { meetingId },
      body: { topic: "Conformance (rivet), renamed", duration: 50, settings: { mute_upon_entry: true } },
    }),
  );
  observed.get_after_update = await attempt(() => meetings.getMeeting({ path: { meetingId } }));
  observed.delete = await attempt(() => meetings.deleteMeeting({ path: { meetingId } }));
  observed.get_deleted = await attempt(() => meetings.getMeeting({ path: { meetingId } }));
  observed.delete_deleted = await attempt(() => meetings.deleteMeeting({ path: { meetingId } }));
  observed.list_after_delete = await attempt(() =>
    meetings.listMeetings({ path: { userId: "me" }, query: { page_size: 300 } }),
  );
}

main()
  .then(() => {
    process.stdout.write(`${JSON.stringify(observed)}\n`);
  })
  .catch((err) => {
    observed.fatal = { name: err.name, message: err.message, stack: err.stack };
    process.stdout.write(`${JSON.stringify(observed)}\n`);
    process.exitCode = 1;
  });
