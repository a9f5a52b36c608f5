/**
 * The CGI adapter behind nginx + fcgiwrap (FastCGI to CGI), started on a free
 * loopback port in a temporary directory.
 */
import t from 'tap';
import { hostAvailable, prepareSite, runCases } from './e2e.js';

if (hostAvailable(t, 'nginx')) {
  const site = await prepareSite(t, 'nginx');
  await runCases(t, site);
}
