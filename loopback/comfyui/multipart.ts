/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  filename: string | null;
  data: Buffer;
}

/** Just enough multipart/form-data for /upload/image: names, file names and bytes. */
export function parseMultipart(contentType: string, body: Buffer): FormPart[] {
  const boundary = /boundary="?([^";]{1,200})"?/.exec(contentType)?.[1];
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString();
      const name = /name="([^"]{0,200})"/.exec(headers)?.[1];
      const filename = /filename="([^"]{0,255})"/.exec(headers)?.[1] ?? null;
      if (name !== undefined) parts.push({ name, filename, data: part.subarray(headerEnd + 4) });
    }
    start = next;
  }
  return parts;
}
