/** Public surface of reference/flow: the flow key, field catalog, extraction and flow text formats. */
export * from './flow-key.ts';
