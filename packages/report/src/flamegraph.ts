/*
 * An SVG flame graph of folded stacks, drawn as flamegraph.pl draws one:
 * the root ("all") at the bottom, each frame as wide as its share of the
 * total, children sorted by name left to right, warm colours from a hash of
 * the name (so a function keeps its colour between graphs), a <title> on
 * each frame for the browser's tooltip.
 */

interface Node {
  name: string;
  value: number;
  children: Map<string, Node>;
}

const WIDTH = 1200;
const ROW = 16;
const PAD = 10;
const CHAR_PX = 6.5;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function tree(lines: readonly string[]): Node {
  const root: Node = { name: "all", value: 0, children: new Map() };
  for (const line of lines) {
    const sp = line.lastIndexOf(" ");
    const value = Number(line.slice(sp + 1));
    let n = root;
    n.value += value;
    for (const f of line.slice(0, sp).split(";")) {
      let c = n.children.get(f);
      if (c === undefined) {
        c = { name: f, value: 0, children: new Map() };
        n.children.set(f, c);
      }
      c.value += value;
      n = c;
    }
  }
  return root;
}

function depthOf(n: Node): number {
  let d = 0;
  for (const c of n.children.values()) d = Math.max(d, depthOf(c));
  return d + 1;
}

/** flamegraph.pl's "hot" palette, chosen by a hash of the name. */
function colour(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const v = (h >>> 0) / 2 ** 32;
  return `rgb(${205 + Math.round(50 * v)},${Math.round(230 * v)},${Math.round((55 * ((h >>> 8) & 255)) / 255)})`;
}

export function flameGraphSvg(lines: readonly string[], title: string): string {
  const root = tree(lines);
  const rows = depthOf(root);
  const height = rows * ROW + 3 * PAD + ROW;
  const scale = root.value > 0 ? (WIDTH - 2 * PAD) / root.value : 0;
  const rects: string[] = [];
  const draw = (n: Node, x: number, depth: number) => {
    const w = n.value * scale;
    if (w < 0.1) return;
    const y = height - PAD - (depth + 1) * ROW;
    const pct = ((100 * n.value) / root.value).toFixed(2);
    const label = w > 3 * CHAR_PX ? n.name.slice(0, Math.floor(w / CHAR_PX) - 1) : "";
    rects.push(
      `<g class="frame"><title>${escapeXml(`${n.name} (${n.value} ns, ${pct}%)`)}</title>` +
        `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${ROW - 1}" fill="${colour(n.name)}" rx="2"/>` +
        (label
          ? `<text x="${(x + 3).toFixed(2)}" y="${y + ROW - 4}">${escapeXml(label)}</text>`
          : "") +
        "</g>",
    );
    let cx = x;
    for (const c of [...n.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      draw(c, cx, depth + 1);
      cx += c.value * scale;
    }
  };
  draw(root, PAD, 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Verdana,sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#f8f8f0"/>`,
    `<text x="${WIDTH / 2}" y="${PAD + ROW}" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    ...rects,
    "</svg>",
    "",
  ].join("\n");
}
