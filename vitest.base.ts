import { defineConfig } from "vitest/config";

/** How every package runs its tests: the files under test/. */
export default defineConfig({
  test: { include: ["test/**/*.test.ts"] },
});
