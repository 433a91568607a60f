/*
 * The packetdrill front end: the script parser, the packet matcher and the
 * runner that plays a script against a simulated host (README "packetdrill").
 */

export { matchPacket, packetText } from "./match.js";
export {
  type Action,
  type EventTime,
  type Expr,
  type PacketAction,
  PacketdrillError,
  parseScript,
  type Script,
  type ScriptEvent,
  type SyscallAction,
  type TcpOption,
} from "./parse.js";
export {
  type KernelFactory,
  LOCAL_PORT,
  type PacketdrillHost,
  REMOTE_PORT,
  runScript,
  type ScriptOutcome,
  type ScriptResult,
} from "./run.js";
