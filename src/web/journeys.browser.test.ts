// Browser: each role's main journey in Debian's Chromium (playwright-core, never a downloaded
// browser) against one real gateway on PGlite (startTestGateway) and one browser, one journey
// after the other with the cookies cleared between them. Every journey fails on a console error
// or page error and keeps screenshots under test-artifacts/web/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway } from '../gateway/testing.ts';
import { openBrowser } from './browser.ts';
import { citizenJourney } from './journeys/citizen.ts';
import { departmentJourney } from './journeys/department.ts';
import { facilityJourney } from './journeys/facility.ts';
import { publicJourney } from './journeys/public.ts';

test('journeys in Chromium', async (t) => {
  const gw = await startTestGateway({ config: { worker: false } });
  t.after(() => gw.close());
  const b = await openBrowser();
  t.after(() => b.close());
  const journeys: [string, typeof publicJourney][] = [
    ['public pages: Vietnamese first, English switch, keyboard, sign-in redirects', publicJourney],
    ['facility portal', facilityJourney],
    ['health department', departmentJourney],
    ['citizen', citizenJourney],
  ];
  for (const [name, run] of journeys) {
    await t.test(name, async () => {
      await b.context.clearCookies();
      b.errors.length = 0;
      await run(gw, b);
      assert.deepEqual(b.errors, []);
    });
  }
});
