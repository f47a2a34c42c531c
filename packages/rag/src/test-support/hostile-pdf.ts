import { once } from "node:events";
import zlib from "node:zlib";

/** Serializes numbered PDF objects (index = object number) with a correct xref table. */
function writePdf(objects: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from("%PDF-1.4\n", "latin1")];
  let length = parts[0]?.length ?? 0;
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = length;
    const body = objects[id] ?? "null";
    for (const part of [
      Buffer.from(`${id} 0 obj\n`, "latin1"),
      Buffer.isBuffer(body) ? body : Buffer.from(body, "latin1"),
      Buffer.from("\nendobj\n"),
    ]) {
      parts.push(part);
      length += part.length;
    }
  }
  let tail = `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) tail += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  tail += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(tail, "latin1"));
  return Buffer.concat(parts);
}

const PAGE = (contents: number) =>
  `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contents} 0 R >>`;
const FONT = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/**
 * The audit's page bomb: one page object referenced `references` times from the page tree
 * (about 6 bytes per reference: 50,000 make a 300 KB file). pdf.js reads every reference as a
 * page of its own.
 */
export function pageBombPdf(references: number, text = "Lorem ipsum dolor sit amet. ".repeat(20)): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  return writePdf([
    "",
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${Array.from({ length: references }, () => "4 0 R").join(" ")}] /Count ${references} >>`,
    FONT,
    PAGE(5),
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
  ]);
}

/**
 * A one-page PDF whose content stream is `inflatedMb` MB of spaces compressed with Flate (about
 * 1 KB per MB): small on disk, and pdf.js decodes it into one growing buffer outside the V8 heap.
 */
export async function flateBombPdf(inflatedMb: number): Promise<Buffer> {
  // Run-length matching finds the same 258-byte runs as level 9 in a fifth of the CPU time.
  const deflate = zlib.createDeflate({ level: 9, strategy: zlib.constants.Z_RLE });
  const chunks: Buffer[] = [];
  deflate.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = once(deflate, "end");
  const megabyte = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < inflatedMb; i++) if (!deflate.write(megabyte)) await once(deflate, "drain");
  deflate.end();
  await ended;
  const compressed = Buffer.concat(chunks);
  return writePdf([
    "",
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
    FONT,
    PAGE(5),
    Buffer.concat([
      Buffer.from(`<< /Length ${compressed.length} /Filter /FlateDecode >>\nstream\n`, "latin1"),
      compressed,
      Buffer.from("\nendstream", "latin1"),
    ]),
  ]);
}
