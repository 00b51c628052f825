/** `npm run stage`'s flags (the command in a child process: stage.integration.test.ts). */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseStageArgs } from "./stage.ts";

describe("npm run stage flags", () => {
  it("parses its flags", () => {
    expect(parseStageArgs(["--port", "3000", "--memory", "512", "--dynamodb-path", "data"])).toEqual({
      port: 3000,
      memoryMb: 512,
      dynamodbPath: "data",
    });
    expect(parseStageArgs(["--help"])).toBe("help");
    expect(() => parseStageArgs(["--port", "x"])).toThrow(
      /invalid --port "x": expected an integer from 0 to 65535/,
    );
    expect(() => parseStageArgs(["--nope"])).toThrow(/--nope/);
  });

  it("takes a user's SAM template (--template) and names a missing one", () => {
    expect(parseStageArgs(["--template", "test/apps/notes/template.yaml"])).toEqual({
      template: path.resolve("test/apps/notes/template.yaml"),
    });
    expect(() => parseStageArgs(["--template", "nope.yaml"])).toThrow(
      /invalid --template "nope.yaml": no file at .*nope.yaml; expected a SAM template/,
    );
  });
});
