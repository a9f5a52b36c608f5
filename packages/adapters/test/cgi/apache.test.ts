/**
 * The CGI adapter behind Apache httpd 2.4 (mpm_event + mod_cgid, ScriptAlias),
 * started on a free loopback port in a temporary directory.
 */
import t from 'tap';
import { hostAvailable, prepareSite, runCases } from './e2e.js';

if (hostAvailable(t, 'apache')) {
  const site = await prepareSite(t, 'apache');
  await runCases(t, site);
}
