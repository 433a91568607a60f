export { formatLockstat, type LockStatRow, type LockstatOptions } from "./lockstat.js";
