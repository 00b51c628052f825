import { defineConfig } from "vitest/config";

const TESTS = "{service,stage,loadtests,tuning,reports,postman,scripts,test}/**/";
const INTEGRATION = "**/*.integration.test.ts";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes (dynalite, Lambda environments, Chromium);
    // two cores are shared, so keep parallelism modest.
    maxWorkers: 2,
    // Each project names its own files (a project's include adds to the root's, so the root has none).
    // `npm run test:unit` is the "unit" project: no process, no server (test/support/no-processes.ts fails a
    // unit test that starts one). Everything that starts the stage, a child process, a server, dynalite, k6,
    // Newman or Chromium is `*.integration.test.ts`. `npm test` runs both projects.
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [`${TESTS}*.test.ts`],
          exclude: ["**/node_modules/**", "**/dist/**", "loadtests/engines/k6/scenarios/**", INTEGRATION],
          setupFiles: ["test/support/no-processes.ts"],
        },
      },
      { extends: true, test: { name: "integration", include: [`${TESTS}*.integration.test.ts`] } },
    ],
    coverage: {
      provider: "v8",
      reportsDirectory: "coverage",
      reporter: ["text-summary", "html", "json-summary"],
      include: ["{service,stage,loadtests,tuning,reports,postman,scripts}/**/*.ts"],
      exclude: [
        "**/*.test.ts",
        "**/test-support/**",
        "**/*.perf.ts",
        "loadtests/engines/k6/scenarios/**",
        "**/*.d.ts",
      ],
    },
  },
});
