export * from "./constants.js";
export { flowHash, RPS_HASHES, type RpsHash } from "./flowhash.js";
export {
  IFF_OACTIVE,
  IFF_UP,
  type IfCapEnable,
  IPL_NET,
  if_output,
  if_start,
  ifnet,
} from "./if.js";
export { in_pcblookup, inpcb, inpcbtable } from "./in_pcb.js";
export { ip_input } from "./ip_input.js";
export { ip_output } from "./ip_output.js";
export {
  DUT_ADDR,
  type NetKernel,
  type NetKernelOptions,
  net_kernel,
  PEER_ADDR,
} from "./kernel.js";
export {
  LOCK_POINTS,
  type LockPoint,
  type LockPointName,
  type NetLocking,
  type NetPolicy,
  NOTHING,
  validateLocking,
  validatePolicy,
} from "./lockpoints.js";
export {
  M_EXT,
  M_PKTHDR,
  MbufPools,
  m_adj,
  m_clget,
  m_copydata,
  m_free,
  m_freem,
  m_get,
  m_gethdr,
  m_getpkt,
  m_pullup,
  mbuf,
} from "./mbuf.js";
export { PacketHeader } from "./packet.js";
export * from "./packetdrill/index.js";
export { type NetProbes, netProbes } from "./probes.js";
export type { pr_usrreqs, sockoptval } from "./protosw.js";
export * from "./socketvar.js";
export {
  NetStack,
  type NetStackOptions,
  netinet_attach,
  type TcpSysctls,
} from "./stack.js";
export { ifstat, ipstat, udpstat } from "./stats.js";
export { type SelectSet, soreadable, sowritable, sys_select } from "./sys_select.js";
export {
  F_GETFL,
  F_SETFL,
  O_NONBLOCK,
  O_RDWR,
  sys_accept,
  sys_bind,
  sys_close,
  sys_connect,
  sys_fcntl,
  sys_getsockopt,
  sys_listen,
  sys_recvfrom,
  sys_sendto,
  sys_setsockopt,
  sys_shutdown,
  sys_socket,
} from "./sys_socket.js";
export { tcp_congctl_lookup, tcp_congctls } from "./tcp_cc.js";
export * from "./tcp_cc_cubic.js";
export * from "./tcp_congctl.js";
export { TCP_FAULTS, type TcpFault } from "./tcp_fault.js";
export * from "./tcp_fsm.js";
export { tcp_input } from "./tcp_input.js";
export {
  ISN_BYTES_PER_SECOND,
  ISN_STATIC_INCREMENT,
  TCP_ISS_RANDOM_MASK,
  TCP_ISSINCR,
  tcp_new_iss,
} from "./tcp_iss.js";
export {
  TCPOPT_EOL,
  TCPOPT_MAXSEG,
  TCPOPT_NOP,
  TCPOPT_SACK_PERMITTED,
  TCPOPT_TIMESTAMP,
  TCPOPT_WINDOW,
  tcp_addoptions,
  tcp_optkinds,
} from "./tcp_options.js";
export { tcp_output } from "./tcp_output.js";
export {
  TCP_FACK_FASTRECOV,
  TCP_SACK_OPTLEN,
  tcp_sack_blocks,
  tcp_sack_bytes_rxmt,
  tcp_sack_option,
} from "./tcp_sack.js";
export * from "./tcp_seq.js";
export {
  tcp_close,
  tcp_drop,
  tcp_mss_to_advertise,
  tcp_newtcpcb,
  tcp_respond,
} from "./tcp_subr.js";
export {
  SYSCTL_PRESETS,
  type SysctlDef,
  type SysctlPreset,
  sysctl_write,
  TCP_SYSCTLS,
  type TcpSysctlName,
  type TcpSysctlValues,
  tcp_sysctl_init,
  validatePreset,
} from "./tcp_sysctl.js";
export * from "./tcp_timer.js";
export { tcp_usrreqs } from "./tcp_usrreq.js";
export * from "./tcp_var.js";
export { udp_input, udp_output, udp_usrreqs } from "./udp_usrreq.js";
export {
  soaccept,
  sobind,
  soclose,
  soconnect,
  socreate,
  sogetopt,
  solisten,
  soreceive,
  sosend,
  sosetopt,
  soshutdown,
} from "./uipc_socket.js";
export {
  sbappendaddr,
  sbappendstream,
  sbdrop,
  sbspace,
  sbwait,
  sorwakeup,
  sowakeup,
  sowwakeup,
} from "./uipc_socket2.js";
export {
  Frame,
  Link,
  validateWire,
  type Wire,
  type WireConfig,
  WireSchema,
  WireStats,
  wireBytes,
} from "./wire.js";
