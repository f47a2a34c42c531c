/** Left-aligned columns separated by two spaces; colour codes in cells do not count towards widths. */
export function formatTable(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, visibleLength(cell));
    });
  }
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - visibleLength(cell))))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape codes is the point
const ansi = /\u001b\[[0-9;]*m/g;

/** The length of `text` as a terminal shows it. */
export function visibleLength(text: string): number {
  return text.replace(ansi, "").length;
}
