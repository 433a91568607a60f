export { cn78xx, cn78xxSources } from "./cn78xx.js";
export { er4, er4Sources } from "./er4.js";
