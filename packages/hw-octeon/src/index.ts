export { cn78xx, cn78xxNic, cn78xxNicSources, cn78xxSources } from "./cn78xx.js";
export { er4, er4Nic, er4NicSources, er4Sources } from "./er4.js";
export { cnmipsNetCosts, cnmipsNetCostsSources } from "./netcosts.js";
