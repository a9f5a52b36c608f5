/**
 * The CGI adapter behind lighttpd 1.4 (mod_cgi, alias + cgi.assign), started
 * on a free loopback port in a temporary directory.
 */
import t from 'tap';
import { hostAvailable, prepareSite, runCases } from './e2e.js';

if (hostAvailable(t, 'lighttpd')) {
  const site = await prepareSite(t, 'lighttpd');
  await runCases(t, site);
}
