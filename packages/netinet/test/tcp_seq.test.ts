import { describe, expect, it } from "vitest";
import { SEQ_GEQ, SEQ_GT, SEQ_LEQ, SEQ_LT, seq_add, seq_sub } from "../src/tcp_seq.js";

describe("tcp_seq: sequence numbers compare modulo 2^32", () => {
  it("orders numbers across the wrap", () => {
    expect(SEQ_LT(0xffff_fff0, 0x10)).toBe(true);
    expect(SEQ_GT(0x10, 0xffff_fff0)).toBe(true);
    expect(SEQ_LEQ(0xffff_ffff, 0)).toBe(true);
    expect(SEQ_GEQ(0, 0xffff_ffff)).toBe(true);
    expect(SEQ_LT(5, 5)).toBe(false);
    expect(SEQ_LEQ(5, 5)).toBe(true);
    // half the space away flips the order
    expect(SEQ_LT(0, 0x7fff_ffff)).toBe(true);
    expect(SEQ_LT(0, 0x8000_0001)).toBe(false);
  });

  it("adds and subtracts with wrap-around", () => {
    expect(seq_add(0xffff_fffe, 5)).toBe(3);
    expect(seq_add(2, -5)).toBe(0xffff_fffd);
    expect(seq_sub(3, 0xffff_fffe)).toBe(5);
    expect(seq_sub(0xffff_fffe, 3)).toBe(-5);
  });
});
