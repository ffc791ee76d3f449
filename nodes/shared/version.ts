/** Sent in the User-Agent header; a unit test keeps it equal to package.json. */
export const PACKAGE_NAME = 'n8n-nodes-digitalocean-inference';
export const PACKAGE_VERSION = '0.1.0';
