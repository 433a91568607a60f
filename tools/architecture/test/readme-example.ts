/*
 * A package README's runnable example (STYLE.md): the first ```js block, and
 * what it promises to print, the `// ` lines after its last console.log.
 */
import { existsSync, readFileSync } from "node:fs";

export interface ReadmeExample {
  code: string;
  promised: string[];
}

export function readmeExample(readmeFile: string): ReadmeExample | undefined {
  if (!existsSync(readmeFile)) return undefined;
  const code = /```js\n([\s\S]*?)```/.exec(readFileSync(readmeFile, "utf8"))?.[1];
  if (code === undefined) return undefined;
  const after = code.slice(code.lastIndexOf("console.log")).split("\n").slice(1);
  const promised = after.filter((l) => l.startsWith("// ") || l === "//").map((l) => l.slice(3));
  return { code, promised };
}
