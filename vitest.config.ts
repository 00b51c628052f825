import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{service,stage,loadtests,tuning,reports,postman,scripts,test}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "loadtests/engines/k6/scenarios/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes (dynalite, Lambda environments, Chromium);
    // two cores are shared, so keep parallelism modest.
    maxWorkers: 2,
  },
});
