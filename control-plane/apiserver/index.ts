/**
 * The API server's public surface: start it over a Store.
 */
export { startApiServer, DEFAULT_NODE_PORT_RANGE, DEFAULT_SERVICE_CIDR } from './server.ts';
export type { ApiServer, ApiServerOptions } from './server.ts';
