export { x86, x86Sources } from "./x86.js";
