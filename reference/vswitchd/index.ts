/**
 * Public surface of reference/vswitchd: the switch process (`refswitch
 * switch`), its control socket speaking Open vSwitch's unixctl protocol,
 * and the pieces other layers or tools may reuse (dpctl commands,
 * coverage counters, the warpable clock, flow_compose).
 */
export { CONTROL_SOCKET, LOG_FILE, PID_FILE, PROGRAM_NAME, REFSWITCH_VERSION, SwitchProcess, SwitchStartError, VERSION_TEXT } from './switch-process.ts';
export type { DatapathFactory, SwitchConfig, SwitchDatapath, SwitchDeps } from './switch-process.ts';
export { fail, ok, parseRequest, UNIXCTL_MAX_MESSAGE_BYTES, UnixctlServer } from './unixctl-server.ts';
export type { UnixctlCommand, UnixctlHandler, UnixctlReply, UnixctlServerOptions } from './unixctl-server.ts';
export { registerDpctlCommands, runDpctl } from './dpctl-commands.ts';
export type { DpctlTarget } from './dpctl-commands.ts';
export { CoverageCounters, CoverageHistory, coverageHash, formatCoverageShow, mergeCoverage } from './coverage-format.ts';
export { WarpClock } from './warp-clock.ts';
export { composeLayers, padLayers } from './flow-compose.ts';
export { frameFromFlowText, frameFromHex, netdevDummyReceive, registerNetdevDummyReceive } from './netdev-dummy-receive.ts';
export type { DummyReceiveTarget } from './netdev-dummy-receive.ts';
export { bridgeMacFromUuid, datapathIdFor, pickBridgeMac, readOvsConfig } from './bridge-config.ts';
export type { BridgeConfig, ControllerConfig, FlowTableConfig, InterfaceConfig, OvsConfig, PortConfig, ReplicaView } from './bridge-config.ts';
export { BridgeApplier, sysfsMacSource } from './bridge-apply.ts';
export type { ApplyResult, BridgeStatus, InterfaceStatus, MacSource } from './bridge-apply.ts';
export { BridgeConfigSync, VSWITCHD_COLUMNS } from './bridge-config-sync.ts';
export { OFPP_LOCAL, OfportAllocator } from './ofport-allocator.ts';
export { DB_FILE, DB_SOCKET, SwitchOvsdb, SwitchOvsdbError } from './switch-ovsdb.ts';
