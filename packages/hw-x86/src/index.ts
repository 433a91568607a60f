export { x86NetCosts, x86NetCostsSources } from "./netcosts.js";
export { x86, x86Nic, x86NicSources, x86Sources } from "./x86.js";
