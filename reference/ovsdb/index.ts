/**
 * Public surface of reference/ovsdb: the RFC 7047 database engine, its
 * durable file storage, the JSON-RPC server and the client (IDL-like
 * replica) that vswitchd and the harness configure switches with.
 * Each module adds its own `export *` line here.
 */
export type * from './ovsdb-types.ts';
export * from './json-stream.ts';
export * from './jsonrpc.ts';
export * from './errors.ts';
export * from './uuid.ts';
export * from './json-text.ts';
export * from './datum.ts';
export * from './schema.ts';
export * from './idl-replica.ts';
export * from './idl-txn.ts';
export * from './client.ts';
export * from './idl.ts';
export * from './database-file.ts';
export * from './show-log.ts';
export * from './idl-txn-reply.ts';
export * from './testing/real-ovsdb-server.ts';
export * from './server.ts';
export * from './server-db.ts';
export * from './database.ts';
export * from './transaction.ts';
