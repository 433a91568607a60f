import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/cli.ts", "src/sweep-worker.ts"],
  format: ["esm"],
  clean: true,
  sourcemap: true,
  target: "node20",
  banner: { js: "#!/usr/bin/env node" },
});
