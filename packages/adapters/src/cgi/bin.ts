#!/usr/bin/env node
/**
 * The `tsgi-cgi` command. Exits explicitly: a CGI host waits for standard
 * output to close, which handles an application left open would delay.
 * @module
 */
import { cgiMain } from './cli.js';

process.exit(await cgiMain(process.argv.slice(2)));
