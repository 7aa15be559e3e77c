// Bundle the extension (node, cjs, `vscode` external), the webview scripts (browser) and, with
// --tests, the unit tests (node). One small script instead of a bundler config per target.
import * as esbuild from "esbuild";
import { readdirSync } from "node:fs";

const args = new Set(process.argv.slice(2));
const production = args.has("--production");
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: "warning" };

const builds = [];
if (args.has("--tests")) {
  const tests = readdirSync("test").filter((f) => f.endsWith(".test.ts")).map((f) => `test/${f}`);
  builds.push({ ...common, entryPoints: tests, outdir: "out/test", platform: "node", format: "cjs", target: "node18", external: ["vscode"] });
} else {
  builds.push({ ...common, entryPoints: ["src/extension.ts"], outfile: "dist/extension.js", platform: "node", format: "cjs", target: "node18", external: ["vscode"] });
  builds.push({ ...common, entryPoints: { ask: "src/webview/ask.ts", graph: "src/webview/graph.ts" }, outdir: "dist/webview", platform: "browser", format: "iife", target: "es2020" });
}

if (args.has("--watch")) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
