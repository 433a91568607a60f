import { defineConfig } from "tsup";
import base from "../../tsup.base.js";

/** A program, not a library: one entry, no types. */
export default defineConfig({ ...base, entry: ["src/main.ts"], dts: false });
