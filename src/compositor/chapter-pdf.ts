import { deflateSync } from 'node:zlib';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { concatTransformationMatrix, drawObject, PDFDocument, popGraphicsState, pushGraphicsState } from 'pdf-lib';

// A chapter as a print-ready PDF: one picture of a whole page per PDF page, sized for print at
// PRINT_PPI (a 1200 × 1800 comic page is 6 × 9 inches, a trade paperback's trim). The picture is
// embedded losslessly: decoded once by Skia, its RGB deflated by zlib as the PDF's own image stream
// (pdf-lib's PNG embedder does the same work in JavaScript, several times slower).

/** Pixels per inch of the print: the lettering's smallest size (15 px) is then 5.4 pt, its largest 10 pt. */
export const PRINT_PPI = 200;

export interface PdfPagePicture {
  /** PNG or JPEG bytes of the whole page, lettered or laid out without lettering. */
  bytes: Buffer;
}

export interface PdfMetadata {
  title: string;
  subject: string;
  createdAt: Date;
}

/** The picture's pixels as 8-bit RGB over white (a PDF image has no alpha unless it is given a mask). */
async function rgbOf(bytes: Buffer): Promise<{ width: number; height: number; rgb: Buffer }> {
  const image = await loadImage(bytes);
  const ctx = createCanvas(image.width, image.height).getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, image.width, image.height);
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const rgb = Buffer.allocUnsafe(image.width * image.height * 3);
  for (let i = 0, o = 0; i < data.length; i += 4, o += 3) {
    rgb[o] = data[i] ?? 255;
    rgb[o + 1] = data[i + 1] ?? 255;
    rgb[o + 2] = data[i + 2] ?? 255;
  }
  return { width: image.width, height: image.height, rgb };
}

const points = (pixels: number) => (pixels * 72) / PRINT_PPI;

/** The PDF, page by page in the order given; one picture's pixels in memory at a time. */
export async function chapterPdf(metadata: PdfMetadata, pictures: AsyncIterable<PdfPagePicture>): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(metadata.title, { showInWindowTitleBar: true });
  pdf.setSubject(metadata.subject);
  pdf.setProducer('storyroom');
  pdf.setCreator('storyroom');
  pdf.setCreationDate(metadata.createdAt);
  pdf.setModificationDate(metadata.createdAt);
  for await (const picture of pictures) {
    const { width, height, rgb } = await rgbOf(picture.bytes);
    const stream = pdf.context.stream(deflateSync(rgb, { level: 6 }), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: width,
      Height: height,
      ColorSpace: 'DeviceRGB',
      BitsPerComponent: 8,
      Filter: 'FlateDecode',
    });
    const page = pdf.addPage([points(width), points(height)]);
    const name = page.node.newXObject('Page', pdf.context.register(stream));
    page.pushOperators(
      pushGraphicsState(),
      concatTransformationMatrix(points(width), 0, 0, points(height), 0, 0),
      drawObject(name),
      popGraphicsState(),
    );
  }
  return pdf.save({ useObjectStreams: true });
}
