import { defineConfig } from "tsup";

export default defineConfig({
  // run-one: the bench runs one run in its own process, as a sweep's worker does
  entry: ["src/cli.ts", "src/sweep-worker.ts", "src/run/run-one.ts"],
  format: ["esm"],
  clean: true,
  sourcemap: true,
  target: "node20",
  banner: { js: "#!/usr/bin/env node" },
});
