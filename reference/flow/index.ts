/** Public surface of reference/flow: the flow key, field catalog, extraction and flow text formats. */
export * from './flow-key.ts';
export * from './field-catalog.ts';
export * from './field-access.ts';
export * from './field-prereqs.ts';
export * from './extract-common.ts';
export * from './extract-flow.ts';
export * from './extract-datapath-key.ts';
export * from './of-flow-fields.ts';
export * from './of-flow-wildcards.ts';
export * from './of-flow-format.ts';
export * from './of-flow-parse.ts';
export * from './odp-key.ts';
export * from './odp-key-format.ts';
export * from './odp-actions.ts';
export * from './odp-flow.ts';
export * from './odp-flow-canonical.ts';
export * from './odp-convert.ts';
export type { OdpParseError } from './odp-text-scanner.ts';
