// Headless Debian Chromium through playwright-core (no browser download), with traces and screenshots kept
// in e2e/artifacts/ when a test fails.
// Also launches the browser for wasm/smoke/run.mjs.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { artifactPath } from './mock.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh context + page with tracing on (`options`: playwright context options, e.g. `javaScriptEnabled`). */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  await context.tracing.start({ screenshots: true, snapshots: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return { context, page };
}

/** Runs `body`; on failure keeps a screenshot, the trace and the mock's log, then rethrows. */
export async function withArtifacts(name, { context, page, mock }, body) {
  try {
    await body();
    await context.tracing.stop();
  } catch (e) {
    try {
      await page.screenshot({ path: artifactPath(`${name}.png`), fullPage: true });
    } catch {}
    try {
      await context.tracing.stop({ path: artifactPath(`${name}-trace.zip`) });
    } catch {}
    try {
      fs.writeFileSync(artifactPath(`${name}-mock.log`), mock.logs.join(''));
      fs.writeFileSync(artifactPath(`${name}-page.html`), await page.content());
    } catch {}
    throw e;
  }
}
