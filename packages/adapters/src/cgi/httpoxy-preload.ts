/**
 * Imported first by generated CGI entry points, before the application's
 * modules run (ES modules are evaluated in import order): removes HTTP_PROXY
 * from the process environment (SEC-PROXY-1, httpoxy).
 * @module
 */
import { removeProxyVariable } from './httpoxy.js';

removeProxyVariable();
