/**
 * Public surface of reference/datapath: the reference datapath (Linux
 * net/openvswitch in TypeScript) and the dpif API it offers — plus the
 * pieces its users need to speak about it: flow requests as dpctl parses
 * them, ufids, drop reasons.
 */
export * from './dpif-types.ts';
export { DROP_REASONS } from './action-host.ts';
export type { DropReason } from './action-host.ts';
export { Datapath } from './datapath.ts';
export type { DatapathOptions } from './datapath.ts';
export { DEFAULT_UPCALL_QUEUE_LENGTH } from './upcall-queue.ts';
export { DUMMY_TX_KEEP } from './vport.ts';
export { DEFAULT_MASK_CACHE_SIZE } from './megaflow-table.ts';
export { parseFlowRequest } from './flow-request.ts';
export type { FlowRequest, FlowRequestError, FlowRequestOptions, FlowRequestResult } from './flow-request.ts';
export { isUfid, normalizeUfid, ufidFromKey } from './ufid.ts';
export { DP_MAX_PORTS } from './flow-match.ts';
