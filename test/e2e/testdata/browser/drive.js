// Drives Debian's Chromium (never a downloaded browser) with playwright-core:
// opens each page of PAGES ({"name": "url"}) in a fresh profile (PROFILE,
// the --user-data-dir), waits for the page to set window.done, and prints
// every page's window.results as one JSON object.
const { chromium } = require('playwright-core');

(async () => {
  const ctx = await chromium.launchPersistentContext(process.env.PROFILE, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      // the OSS and OBS vendor domains the forms are posted to
      '--host-resolver-rules=MAP *.babelgate.test 127.0.0.1'],
  });
  const results = {};
  for (const [name, url] of Object.entries(JSON.parse(process.env.PAGES))) {
    const page = await ctx.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(m.text()));
    await page.goto(url);
    await page.waitForFunction(() => window.done === true, null, { timeout: 60000 });
    results[name] = await page.evaluate(() => window.results);
    results[name].console = logs;
    await page.close();
  }
  await ctx.close();
  process.stdout.write(JSON.stringify(results));
})().catch((e) => { console.error(e); process.exit(1); });
