/**
 * Draws the Teams app icons and writes them as PNGs: `npx tsx scripts/icons.ts`.
 *
 * - appPackage/color.png   192×192, full colour: a white house with a coral heart on teal.
 * - appPackage/outline.png  32×32, white on transparent: the same house, the heart cut out.
 *
 * No image library: shapes are tested per pixel (4×4 samples for smooth edges) and the PNG is
 * encoded by hand (signature, IHDR, one zlib IDAT, IEND). The output is committed; run this again
 * only when the design changes.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

export const TEAL = [0x1f, 0x6f, 0x78] as const; // also the manifest's accentColor (#1F6F78)
const CORAL = [0xf2, 0x7c, 0x6b] as const;
const WHITE = [0xff, 0xff, 0xff] as const;

type Rgb = readonly [number, number, number];
type Shape = (x: number, y: number) => boolean; // x, y in 0..1 of the icon's width

/** Roof (a triangle) over a body (a rectangle). */
const house: Shape = (x, y) => {
  const roof = y >= 0.16 && y <= 0.5 && Math.abs(x - 0.5) <= ((y - 0.16) / 0.34) * 0.36;
  const body = x >= 0.25 && x <= 0.75 && y >= 0.46 && y <= 0.84;
  return roof || body;
};

/** The classic implicit heart, (u² + v² − 1)³ − u²v³ ≤ 0, centred in the house's body. */
const heart: Shape = (x, y) => {
  const size = 0.15;
  const u = (x - 0.5) / size;
  const v = -(y - 0.62) / size;
  const a = u * u + v * v - 1;
  return a * a * a - u * u * v * v * v <= 0;
};

/** Paints layers in order; each pixel's colour is the coverage-weighted mix of its 16 samples. */
function raster(size: number, background: Rgb | null, layers: { shape: Shape; color: Rgb | null }[]): Buffer {
  const n = 4;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let color: Rgb | null = background;
          for (const layer of layers) if (layer.shape(x, y)) color = layer.color;
          if (color) {
            r += color[0];
            g += color[1];
            b += color[2];
            a += 1;
          }
        }
      }
      const o = (py * size + px) * 4;
      // Colour averaged over the covered samples only (so edges stay white, not grey), alpha = coverage.
      rgba[o] = a ? Math.round(r / a) : 0;
      rgba[o + 1] = a ? Math.round(g / a) : 0;
      rgba[o + 2] = a ? Math.round(b / a) : 0;
      rgba[o + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit RGBA PNG, every row with filter type 0 (none). */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  const rows = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    rows[y * (1 + width * 4)] = 0;
    rgba.copy(rows, y * (1 + width * 4) + 1, y * width * 4, (y + 1) * width * 4);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

export function colorIcon(): Buffer {
  return encodePng(192, 192, raster(192, TEAL, [{ shape: house, color: WHITE }, { shape: heart, color: CORAL }]));
}

export function outlineIcon(): Buffer {
  return encodePng(32, 32, raster(32, null, [{ shape: house, color: WHITE }, { shape: heart, color: null }]));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  writeFileSync('appPackage/color.png', colorIcon());
  writeFileSync('appPackage/outline.png', outlineIcon());
  process.stdout.write('Wrote appPackage/color.png (192×192) and appPackage/outline.png (32×32).\n');
}
