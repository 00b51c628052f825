/**
 * The notes API's own k6 script (test data: a user's script, run unchanged by
 * `npm run bench -- --template test/apps/notes/template.yaml --k6-script test/apps/notes/k6-notes.ts --no-gate`).
 * k6 gets BASE_URL, MEMORY_MB, SETTING_ID and SEED as -e variables.
 */
import { check } from "k6";
import http from "k6/http";
import { recordLambdaRequestId } from "../../../loadtests/engines/k6/scenarios/powerbench.ts";

const base = __ENV["BASE_URL"] ?? "";
const rate = Number(__ENV["RATE"] ?? 10);
const duration = __ENV["DURATION"] ?? "3s";

export const options = {
  scenarios: {
    notes: {
      executor: "constant-arrival-rate",
      rate,
      timeUnit: "1s",
      duration,
      preAllocatedVUs: 5,
      maxVUs: 20,
    },
  },
  thresholds: { http_req_failed: ["rate<0.05"] },
};

const JSON_HEADERS = { "Content-Type": "application/json" };

export default function iteration(): void {
  const user = `k6-user-${__VU}`;
  const noteId = `k6-${__VU}-${__ITER}`;
  const created = http.post(
    `${base}/users/${user}/notes`,
    JSON.stringify({ noteId, title: "from k6", text: `setting ${__ENV["SETTING_ID"]}`, tags: ["k6"] }),
    { headers: JSON_HEADERS, tags: { name: "createNote" } },
  );
  recordLambdaRequestId(created);
  check(created, { "created: 201": (r) => r.status === 201 });
  const listed = http.get(`${base}/users/${user}/notes?limit=10&tag=k6`, { tags: { name: "listNotes" } });
  recordLambdaRequestId(listed);
  check(listed, { "listed: 200": (r) => r.status === 200 });
}
