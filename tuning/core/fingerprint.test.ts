import { describe, expect, it } from "vitest";
import { fnv1a32Digest } from "./fingerprint.ts";

describe("fnv1a32Digest", () => {
  it("gives the published FNV-1a 32-bit hashes (offset basis, test vectors), 8 hex digits", () => {
    expect(fnv1a32Digest("")).toBe("fnv1a32:811c9dc5");
    expect(fnv1a32Digest("a")).toBe("fnv1a32:e40c292c");
    expect(fnv1a32Digest("foobar")).toBe("fnv1a32:bf9cf968");
  });
});
