interface Heading {
  offset: number;
  level: number;
  title: string;
}

/** Finds the Markdown heading path at any offset of a text (ATX headings, outside code fences). */
export class HeadingIndex {
  private readonly headings: Heading[] = [];

  constructor(text: string) {
    let offset = 0;
    let fence: string | undefined;
    for (const line of text.split("\n")) {
      const fenceMatch = /^\s{0,3}(```+|~~~+)/.exec(line);
      if (fenceMatch?.[1]) {
        const marker = fenceMatch[1];
        if (!fence) fence = marker[0];
        else if (marker[0] === fence) fence = undefined;
      } else if (!fence) {
        const heading = /^\s{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*\r?$/.exec(line);
        if (heading?.[1] && heading[2]) this.headings.push({ offset, level: heading[1].length, title: heading[2].trim() });
      }
      offset += line.length + 1;
    }
  }

  /** The headings that enclose `offset`, outermost first. */
  pathAt(offset: number): string[] {
    const stack: Heading[] = [];
    for (const heading of this.headings) {
      if (heading.offset > offset) break;
      while (stack.length && (stack[stack.length - 1] as Heading).level >= heading.level) stack.pop();
      stack.push(heading);
    }
    return stack.map((heading) => heading.title);
  }
}
