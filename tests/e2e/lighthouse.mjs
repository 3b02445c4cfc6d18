// Lighthouse over several pages in one Chromium, for tests/e2e/test_lighthouse.py: one Node process and one
// browser for every page (the CLI starts both per page, half of each run).  Reads
// {"port": N, "categories": [...], "pages": [{"url": ..., "headers": {...}, "out": "report.json"}]} on stdin
// and writes each page's report (Lighthouse's JSON result) to its "out" file.
import {readFileSync, writeFileSync} from "node:fs";
import lighthouse from "lighthouse";

const job = JSON.parse(readFileSync(0, "utf8"));
for (const page of job.pages) {
  const result = await lighthouse(page.url, {
    port: job.port,
    output: "json",
    logLevel: "error",
    onlyCategories: job.categories,
    formFactor: "desktop",
    screenEmulation: {disabled: true},
    disableFullPageScreenshot: true,
    // The pages are served on this machine with a few local scripts: short quiet windows are enough.
    pauseAfterFcpMs: 100,
    pauseAfterLoadMs: 250,
    networkQuietThresholdMs: 250,
    cpuQuietThresholdMs: 250,
    extraHeaders: page.headers || null,
  });
  writeFileSync(page.out, result.report);
}
