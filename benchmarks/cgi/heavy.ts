/**
 * A TSGI CGI application with a heavy start: the hello application wrapped in
 * the TSGI validator (`validate()`), whose module graph builds zod schemas when
 * it is evaluated, as many applications' imports do. It shows what the V8
 * start-up snapshot (tsgi-cgi wrap --snapshot) saves: that work then happens
 * once, at build time.
 */
import { validate } from '@tsgi/gateway-spec';
import hello from './hello.js';

export default validate(hello);
