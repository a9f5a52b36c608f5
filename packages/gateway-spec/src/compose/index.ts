/** Composition: mounting applications at prefixes, and writing middleware that keeps lifespan. @module */
export { mount } from './mount.js';
export { defineApp, wrapHandler } from './define.js';
