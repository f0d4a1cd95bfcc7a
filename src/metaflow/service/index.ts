/** The Metaflow metadata service (METAFLOW_SERVICE_URL) as a metadata source. */
export type { ServiceOptions } from './http';
export { createServiceMetadataSource, type ServiceMetadataSource } from './source';
