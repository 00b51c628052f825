/**
 * Security: no secrets in logs or reports. Requests carry canary secrets in every place a client can put one
 * (Authorization, X-Api-Key, Cookie, query string, JSON body, a malformed body, an error path); afterwards every
 * log group of the stage's CloudWatch Logs store is scanned for the canaries and for credential-looking values.
 * The results schema (tuning/results/results.schema.json) is closed (additionalProperties false) and has no field
 * that could carry a credential.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readLogMessages } from "../fuzz/stage-logs.ts";
import { useStage } from "../support/stage.ts";

const CANARIES = {
  accessKeyId: "AKIAZZCANARY7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY",
  bearer: "eyJhbGciOiJIUzI1NiJ9.canary-bearer-token.c2lnbmF0dXJl",
  apiKey: "canary-api-key-5f1b2c",
  cookie: "canary-session-9d8e7f",
  password: "canary-password-Xq9!",
};

/** Credential-looking values: AWS key ids, secret-key-shaped strings after a secret-ish name, env var names. */
const CREDENTIAL_PATTERNS = [
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/,
  /AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|secretAccessKey|sessionToken/i,
  /authorization|x-api-key|cookie/i,
  /"(?:password|secret|token)"\s*:/i,
];

describe("no secrets in logs or reports", () => {
  const env = useStage({ cpuScaling: "off" });

  it("keeps canary secrets sent in headers, query and bodies out of every log group", async () => {
    const headers = {
      "content-type": "application/json",
      authorization: `AWS4-HMAC-SHA256 Credential=${CANARIES.accessKeyId}/20261127/us-east-1/execute-api/aws4_request, Signature=${CANARIES.secretAccessKey}`,
      "x-api-key": CANARIES.apiKey,
      cookie: `session=${CANARIES.cookie}`,
      "x-amz-security-token": CANARIES.bearer,
    };
    const url = env.local.stage.apiUrl;
    const requests: [string, string, string | undefined][] = [
      ["POST", "/items", JSON.stringify({ id: "c1", password: CANARIES.password })],
      ["GET", `/items/c1?token=${CANARIES.bearer}`, undefined],
      ["PATCH", "/items/c1", JSON.stringify({ secret: CANARIES.secretAccessKey })],
      ["POST", "/items", `{"password":"${CANARIES.password}", broken`],
      ["PUT", "/items/c1", JSON.stringify({ id: "other", apiKey: CANARIES.apiKey })],
      [
        "POST",
        "/dynamodbmanager",
        JSON.stringify({ operation: "echo", payload: { token: CANARIES.bearer } }),
      ],
      [
        "POST",
        "/dynamodbmanager",
        JSON.stringify({ operation: "create", tableName: CANARIES.apiKey, payload: {} }),
      ],
      ["GET", `/items?cursor=${CANARIES.cookie}`, undefined],
    ];
    const statuses: number[] = [];
    for (const [method, path, body] of requests) {
      const res = await fetch(`${url}${path}`, { method, headers, ...(body ? { body } : {}) });
      await res.arrayBuffer();
      statuses.push(res.status);
      // Every request reached the function (which answers with its request id), none stopped at the gateway.
      expect(res.headers.get("x-request-id"), `${method} ${path}`).toMatch(/^[0-9a-f-]{36}$/);
    }
    // Success paths and error paths both ran.
    expect(statuses.filter((s) => s < 300).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);

    const groups = env.local.logs.describeLogGroups({}).logGroups.map((g) => g.logGroupName);
    const messages = groups.flatMap((group) => readLogMessages(env.local.logs, group));
    // The scan must have something to scan: one request line per request, plus the platform lines.
    expect(messages.filter((m) => m.includes('"msg":"request"'))).toHaveLength(requests.length);
    const text = messages.join("\n");
    for (const [name, canary] of Object.entries(CANARIES))
      expect(text, `canary ${name} in the logs`).not.toContain(canary);
    for (const pattern of CREDENTIAL_PATTERNS) expect(text, `logs match ${pattern}`).not.toMatch(pattern);
  });

  it("has a closed results schema with no field that could carry a credential", () => {
    const schema = JSON.parse(
      readFileSync(new URL("../../tuning/results/results.schema.json", import.meta.url), "utf8"),
    );
    const names: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (typeof node === "object" && node !== null) {
        const obj = node as Record<string, unknown>;
        if (typeof obj["properties"] === "object" && obj["properties"] !== null)
          names.push(...Object.keys(obj["properties"] as object));
        Object.values(obj).forEach(walk);
      }
    };
    walk(schema);
    expect(names.length).toBeGreaterThan(20);
    expect(
      names.filter((n) => /credential|secret|password|token|accesskey|authorization|cookie/i.test(n)),
    ).toEqual([]);
    const stage = schema.$defs.RunMetadata.properties.stage;
    expect(stage.additionalProperties).toBe(false);
    expect(Object.keys(stage.properties).sort()).toEqual([
      "alias",
      "apiType",
      "apiUrl",
      "functionName",
      "name",
      "region",
    ]);
  });
});
