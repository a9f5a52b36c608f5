#!/usr/bin/env node
// The baseline: a Node.js CGI script that writes its response by hand (RFC 3875 §6).
process.stdout.write('Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\nHello, world!\n');
