/**
 * httpoxy (CVE-2016-5385 and kin): a request's `Proxy:` header reaches a CGI
 * process as the environment variable HTTP_PROXY, which HTTP clients read as
 * their proxy. It is removed before the application is loaded, so that no
 * module sees it, even at import time (SEC-PROXY-1). A proxy the operator
 * means for outgoing requests is set as lower-case `http_proxy`, which no
 * request header can produce.
 */
export function removeProxyVariable(env: NodeJS.ProcessEnv = process.env): void {
  delete env.HTTP_PROXY;
}
