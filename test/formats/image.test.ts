import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ImageError } from '../../src/errors.js';
import { decodeImage, sniffImageFormat, type RgbImage } from '../../src/formats/image/index.js';
import { writeBmp } from '../helpers/bmp_writer.js';
import { dataPath, tmpDir } from '../helpers/data.js';

let dir = '';
before(() => {
  mkdirSync(tmpDir, { recursive: true });
  dir = mkdtempSync(join(tmpDir, 'image-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Raw RGB pixels of a region of a real photo, decoded by sharp. */
async function photo(width: number, height: number, left = 300, top = 200): Promise<RgbImage> {
  const data = await sharp(dataPath('images', 'dog.jpg'))
    .extract({ left, top, width, height })
    .removeAlpha()
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data) };
}

/** The same pixels through a PNG written by sharp and decoded by decodeImage. */
async function viaPng(img: RgbImage): Promise<RgbImage> {
  const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
  return decodeImage(png);
}

async function rejects(input: string | Uint8Array, pattern: RegExp, name?: string): Promise<void> {
  await assert.rejects(decodeImage(input, name ? { name } : {}), (err: unknown) => {
    assert.ok(err instanceof ImageError, `expected ImageError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A PNG whose IHDR claims the given size, followed by a tiny IDAT (far too little data) and IEND. */
function pngHeader(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(new Uint8Array(100))),
    pngChunk('IEND', new Uint8Array(0)),
  ];
  return Buffer.concat(parts);
}

describe('shared images', () => {
  const stated: [string, number, number][] = [
    ['cat.bmp', 512, 341],
    ['grace_hopper.bmp', 517, 606],
    ['resized_cat.bmp', 224, 224],
    ['dog.jpg', 1546, 1213],
    ['imagenet_finch.jpeg', 500, 416],
  ];
  for (const [file, w, h] of stated) {
    test(`${file} decodes to ${w}x${h} as MANIFEST.md states`, async () => {
      const img = await decodeImage(dataPath('images', file));
      assert.equal(img.width, w);
      assert.equal(img.height, h);
      assert.equal(img.data.length, w * h * 3);
    });
  }

  test('dog.jpg has EXIF orientation 1, so its oriented size is its stored size', async () => {
    const meta = await sharp(dataPath('images', 'dog.jpg')).metadata();
    assert.equal(meta.orientation, 1);
    assert.deepEqual(meta.autoOrient, { width: 1546, height: 1213 });
  });

  test('every JPEG in images/ matches sharp: same oriented size and pixels', async () => {
    for (const file of readdirSync(dataPath('images')).filter((f) => /\.jpe?g$/i.test(f))) {
      const img = await decodeImage(dataPath('images', file));
      const { data, info } = await sharp(dataPath('images', file), { autoOrient: true, ignoreIcc: true })
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      assert.equal(img.width, info.width, file);
      assert.equal(img.height, info.height, file);
      assert.ok(Buffer.from(img.data).equals(data), `${file}: pixels differ from sharp's decode`);
    }
  });

  test('the nine grayscale ImageNet samples come out RGB with R = G = B equal to the gray decode', async () => {
    const gray = ['acoustic_guitar', 'beaker', 'fountain', 'lumbermill', 'pencil_sharpener', 'projectile', 'rifle', 'switch', 'viaduct'];
    const files = readdirSync(dataPath('imagenet-sample'));
    for (const cls of gray) {
      const file = files.find((f) => f.endsWith(`_${cls}.JPEG`));
      assert.ok(file, `sample for ${cls}`);
      const path = dataPath('imagenet-sample', file);
      const meta = await sharp(path).metadata();
      assert.equal(meta.channels, 1, `${file} is grayscale`);
      // The stored samples, as TensorFlow's decode_jpeg returns them (a gray ICC profile, if any, not applied).
      const g = await sharp(path, { ignoreIcc: true }).extractChannel(0).raw().toBuffer();
      const img = await decodeImage(path);
      assert.equal(img.data.length, g.length * 3);
      for (let i = 0; i < g.length; i++) {
        if (img.data[3 * i] !== g[i] || img.data[3 * i + 1] !== g[i] || img.data[3 * i + 2] !== g[i]) {
          assert.fail(`${file}: pixel ${i} is (${img.data.subarray(3 * i, 3 * i + 3)}), gray ${g[i]}`);
        }
      }
    }
  });
});

describe('formats and colour handling', () => {
  test('lossless PNG, WebP, TIFF and BMP of the same picture decode to identical pixels', async () => {
    const src = await photo(37, 23);
    const raw = { raw: { width: 37, height: 23, channels: 3 as const } };
    const encoded = {
      png: await sharp(src.data, raw).png().toBuffer(),
      webp: await sharp(src.data, raw).webp({ lossless: true }).toBuffer(),
      tiff: await sharp(src.data, raw).tiff({ compression: 'lzw' }).toBuffer(),
      bmp: writeBmp(37, 23, src.data, { bitsPerPixel: 24 }),
    };
    for (const [fmt, bytes] of Object.entries(encoded)) {
      assert.equal(sniffImageFormat(bytes), fmt);
      const img = await decodeImage(bytes, { name: `x.${fmt}` });
      assert.deepEqual([img.width, img.height], [37, 23], fmt);
      assert.ok(Buffer.from(img.data).equals(Buffer.from(src.data)), `${fmt} pixels differ`);
    }
  });

  test('AVIF decodes close to the picture (lossy)', async () => {
    const src = await photo(37, 23);
    const avif = await sharp(src.data, { raw: { width: 37, height: 23, channels: 3 } }).avif({ quality: 90 }).toBuffer();
    assert.equal(sniffImageFormat(avif), 'avif');
    const img = await decodeImage(avif);
    assert.deepEqual([img.width, img.height], [37, 23]);
    let sum = 0;
    for (let i = 0; i < img.data.length; i++) sum += Math.abs(img.data[i] - src.data[i]);
    assert.ok(sum / img.data.length < 4, `mean abs difference ${sum / img.data.length}`);
  });

  test('format is detected by content, not by the file name', async () => {
    const src = await photo(16, 9);
    const png = await sharp(src.data, { raw: { width: 16, height: 9, channels: 3 } }).png().toBuffer();
    const path = join(dir, 'really_a_png.jpg');
    writeFileSync(path, png);
    const img = await decodeImage(path);
    assert.ok(Buffer.from(img.data).equals(Buffer.from(src.data)));
  });

  test('PNG alpha is dropped: the colour channels are kept as stored (RGBA and gray+alpha)', async () => {
    const w = 20, h = 10;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256, (i * 11) % 256], 4 * i);
    const png = await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
    assert.equal((await sharp(png).metadata()).hasAlpha, true);
    const img = await decodeImage(png);
    for (let i = 0; i < w * h; i++) assert.deepEqual([...img.data.subarray(3 * i, 3 * i + 3)], [...rgba.subarray(4 * i, 4 * i + 3)]);

    const ga = new Uint8Array(w * h * 2);
    for (let i = 0; i < w * h; i++) ga.set([(i * 5) % 256, (i * 3) % 256], 2 * i);
    const gpng = await sharp(ga, { raw: { width: w, height: h, channels: 2 } }).png().toBuffer();
    const gimg = await decodeImage(gpng);
    for (let i = 0; i < w * h; i++) assert.deepEqual([...gimg.data.subarray(3 * i, 3 * i + 3)], [ga[2 * i], ga[2 * i], ga[2 * i]]);
  });

  test('16-bit PNG is reduced to 8 bits', async () => {
    const w = 8, h = 4;
    const v16 = new Uint16Array(w * h * 3);
    for (let i = 0; i < v16.length; i++) v16[i] = (i * 2053) % 65536;
    const png = await sharp(v16, { raw: { width: w, height: h, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    assert.equal((await sharp(png).metadata()).depth, 'ushort');
    const img = await decodeImage(png);
    for (let i = 0; i < v16.length; i++) assert.ok(Math.abs(img.data[i] - v16[i] / 257) <= 1, `sample ${i}`);
  });

  test('CMYK JPEG is converted to sRGB close to the RGB original', async () => {
    const src = await photo(64, 48);
    const cmyk = await sharp(src.data, { raw: { width: 64, height: 48, channels: 3 } })
      .toColourspace('cmyk')
      .jpeg({ quality: 95 })
      .toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    const img = await decodeImage(cmyk);
    assert.deepEqual([img.width, img.height], [64, 48]);
    let sum = 0;
    for (let i = 0; i < img.data.length; i++) sum += Math.abs(img.data[i] - src.data[i]);
    const mean = sum / img.data.length;
    assert.ok(mean < 12, `mean abs difference ${mean.toFixed(2)} after CMYK round trip`);
  });

  test('EXIF orientation 6 rotates the picture 90° clockwise', async () => {
    const w = 30, h = 12;
    const src = await photo(w, h);
    const enc = sharp(src.data, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 });
    const plain = await enc.clone().toBuffer();
    const rotated = await enc.clone().withMetadata({ orientation: 6 }).toBuffer();
    assert.equal((await sharp(rotated).metadata()).orientation, 6);
    const stored = await sharp(plain).raw().toBuffer();
    const img = await decodeImage(rotated);
    assert.deepEqual([img.width, img.height], [h, w]);
    // Displayed (x, y) comes from stored (column y, row h-1-x).
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < h; x++) {
        const s = ((h - 1 - x) * w + y) * 3;
        const d = (y * h + x) * 3;
        assert.deepEqual([...img.data.subarray(d, d + 3)], [...stored.subarray(s, s + 3)], `pixel (${x}, ${y})`);
      }
    }
  });

  test('animated GIF gives its first frame', async () => {
    const w = 6, h = 4;
    const frame = (v: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: v, g: 0, b: 255 - v } } }).png().toBuffer();
    const gif = await sharp([await frame(255), await frame(0)], { join: { animated: true } }).gif().toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2);
    const img = await decodeImage(gif);
    assert.deepEqual([img.width, img.height], [w, h]);
    assert.deepEqual([...img.data.subarray(0, 3)], [255, 0, 0]);
  });
});

describe('BMP reader', () => {
  let src: RgbImage;
  before(async () => {
    src = await photo(29, 17, 400, 300);
  });

  const exact: [string, Parameters<typeof writeBmp>[3]][] = [
    ['24-bit bottom-up', { bitsPerPixel: 24 }],
    ['24-bit top-down', { bitsPerPixel: 24, topDown: true }],
    ['24-bit core header', { bitsPerPixel: 24, headerSize: 12 }],
    ['32-bit BI_RGB', { bitsPerPixel: 32, alpha: 0x17 }],
    ['32-bit BI_BITFIELDS after a 40-byte header', { bitsPerPixel: 32, masks: [0xff0000, 0xff00, 0xff] }],
    ['32-bit BI_ALPHABITFIELDS', { bitsPerPixel: 32, masks: [0xff0000, 0xff00, 0xff, 0xff000000] }],
    ['32-bit V4 BGRA, top-down', { bitsPerPixel: 32, headerSize: 108, topDown: true, masks: [0xff0000, 0xff00, 0xff, 0xff000000] }],
    ['32-bit V5 with RGBA byte order', { bitsPerPixel: 32, headerSize: 124, masks: [0xff, 0xff00, 0xff0000, 0xff000000] }],
    ['32-bit V3 with alpha in the low byte', { bitsPerPixel: 32, headerSize: 56, masks: [0xff000000, 0xff0000, 0xff00, 0xff] }],
  ];
  for (const [what, opts] of exact) {
    test(`${what} equals sharp's decode of the same picture as PNG`, async () => {
      const bmp = writeBmp(src.width, src.height, src.data, opts);
      const img = await decodeImage(bmp, { name: 'x.bmp' });
      const ref = await viaPng(src);
      assert.deepEqual([img.width, img.height], [ref.width, ref.height]);
      assert.ok(Buffer.from(img.data).equals(Buffer.from(ref.data)), 'pixels differ');
    });
  }

  for (const [what, masks, bits] of [
    ['16-bit 5-5-5 (BI_RGB)', undefined, [5, 5, 5]],
    ['16-bit 5-6-5 (BI_BITFIELDS)', [0xf800, 0x07e0, 0x001f], [5, 6, 5]],
    ['16-bit 4-4-4-4 V4', [0x0f00, 0x00f0, 0x000f, 0xf000], [4, 4, 4]],
  ] as const) {
    test(`${what} is within quantisation error of the picture, with black and white exact`, async () => {
      const img0 = { ...src, data: Uint8Array.from(src.data) };
      img0.data.set([0, 0, 0, 255, 255, 255]);
      const bmp = writeBmp(src.width, src.height, img0.data, {
        bitsPerPixel: 16,
        masks: masks ? [...masks] : undefined,
        headerSize: masks?.length === 4 ? 108 : 40,
      });
      const img = await decodeImage(bmp);
      for (let i = 0; i < img.data.length; i++) {
        const tol = 255 / ((1 << bits[i % 3]) - 1) / 2 + 0.5;
        assert.ok(Math.abs(img.data[i] - img0.data[i]) <= tol, `sample ${i}: ${img.data[i]} vs ${img0.data[i]}`);
      }
      assert.deepEqual([...img.data.subarray(0, 6)], [0, 0, 0, 255, 255, 255]);
    });
  }

  for (const bpp of [8, 4, 1] as const) {
    for (const headerSize of [40, 12] as const) {
      test(`${bpp}-bit palette (${headerSize}-byte header) equals sharp's palette PNG of the picture`, async () => {
        const pngPal = await sharp(src.data, { raw: { width: src.width, height: src.height, channels: 3 } })
          .png({ palette: true, colours: 1 << bpp, dither: 0 })
          .toBuffer();
        const ref = await decodeImage(pngPal);
        const colours = new Map<number, number>();
        const indices = new Uint8Array(src.width * src.height);
        for (let i = 0; i < indices.length; i++) {
          const key = (ref.data[3 * i] << 16) | (ref.data[3 * i + 1] << 8) | ref.data[3 * i + 2];
          if (!colours.has(key)) colours.set(key, colours.size);
          indices[i] = colours.get(key)!;
        }
        assert.ok(colours.size <= 1 << bpp && colours.size >= 2, `${colours.size} colours`);
        const palette = new Uint8Array(colours.size * 3);
        for (const [key, i] of colours) palette.set([key >> 16, (key >> 8) & 255, key & 255], 3 * i);
        const bmp = writeBmp(src.width, src.height, null, { bitsPerPixel: bpp, headerSize, palette, indices });
        const img = await decodeImage(bmp);
        assert.ok(Buffer.from(img.data).equals(Buffer.from(ref.data)), 'pixels differ');
      });
    }
  }

  test('bad BMPs are rejected with a clear ImageError', async () => {
    const good = writeBmp(src.width, src.height, src.data, { bitsPerPixel: 24 });
    await rejects(good.subarray(0, good.length - 10), /image 'cut\.bmp': truncated BMP pixel data/, 'cut.bmp');
    await rejects(good.subarray(0, 30), /truncated BMP header/, 'short.bmp');
    const rle = writeBmp(4, 4, null, { bitsPerPixel: 8, compression: 1, palette: new Uint8Array(6), indices: new Uint8Array(16) });
    await rejects(rle, /RLE-compressed BMP \(RLE8\) is not supported/);
    const idx = new Uint8Array(16).fill(1);
    idx[5] = 3;
    const badIndex = writeBmp(4, 4, null, { bitsPerPixel: 8, palette: new Uint8Array(6), indices: idx });
    await rejects(badIndex, /palette index 3 at pixel \(1, 1\) is outside the 2-colour palette/);
    await rejects(writeBmp(4, 4, src.data, { bitsPerPixel: 32, masks: [0xf0f000, 0xff00, 0xff] }), /mask 0xf0f000 is not contiguous/);
    const zero = writeBmp(4, 4, src.data, { bitsPerPixel: 24 });
    new DataView(zero.buffer).setInt32(18, 0, true);
    await rejects(zero, /invalid dimensions 0x4/);
    const weird = Uint8Array.from(good);
    new DataView(weird.buffer).setUint16(28, 7, true);
    await rejects(weird, /unsupported BMP bit depth 7/);
  });

  test('a BMP header claiming 100000x100000 is rejected before any allocation', async () => {
    const bmp = writeBmp(2, 2, src.data, { bitsPerPixel: 24 });
    const dv = new DataView(bmp.buffer);
    dv.setInt32(18, 100000, true);
    dv.setInt32(22, -100000, true);
    const t = performance.now();
    await rejects(bmp, /is 100000x100000 \(10000 MP\), over the limit of 50 MP/, 'huge.bmp');
    assert.ok(performance.now() - t < 100);
  });
});

describe('bad input', () => {
  test('truncated JPEG (first half of a real file) names the file and says truncated', async () => {
    const bytes = readFileSync(dataPath('images', 'dog.jpg'));
    const path = join(dir, 'broken.jpg');
    writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
    await rejects(path, new RegExp(`^image '${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': truncated JPEG data`));
  });

  test('text file named .png, empty file, random bytes, missing file, directory', async () => {
    const notes = join(dir, 'notes.png');
    writeFileSync(notes, 'shopping list\n- milk\n- bread\n');
    await rejects(notes, /image '.*notes\.png': not an image \(unrecognised format\)/);
    const empty = join(dir, 'empty.jpg');
    writeFileSync(empty, new Uint8Array(0));
    await rejects(empty, /image '.*empty\.jpg': empty file \(0 bytes\)/);
    let seed = 12345;
    const random = Uint8Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    await rejects(random, /image 'random\.bin': not an image/, 'random.bin');
    await rejects(join(dir, 'missing.jpg'), /missing\.jpg': cannot read \(file not found\)/);
    await rejects(dir, /cannot read \(is a directory\)/);
  });

  test('a PNG header claiming 100000x100000 is rejected from the header, fast', async () => {
    const png = pngHeader(100000, 100000);
    assert.equal((await sharp(png, { limitInputPixels: false }).metadata()).width, 100000);
    const t = performance.now();
    await rejects(png, /^image 'huge\.png' is 100000x100000 \(10000 MP\), over the limit of 50 MP$/, 'huge.png');
    assert.ok(performance.now() - t < 500, `${performance.now() - t} ms`);
  });

  test('maxPixels applies to real images', async () => {
    await assert.rejects(decodeImage(dataPath('images', 'cat.bmp'), { maxPixels: 100_000 }), /is 512x341 \(0\.2 MP\), over the limit of 0\.1 MP/);
    await assert.rejects(decodeImage(dataPath('images', 'owl.jpg'), { maxPixels: 100_000 }), /over the limit of 0\.1 MP/);
    const ok = await decodeImage(dataPath('images', 'owl.jpg'), { maxPixels: 512 * 384 });
    assert.equal(ok.width * ok.height, 512 * 384);
  });

  test('every truncation of small PNG, JPEG, WebP, GIF, TIFF and BMP files fails with an ImageError', async () => {
    const src = await photo(24, 16);
    const raw = { raw: { width: 24, height: 16, channels: 3 as const } };
    const files: Record<string, Uint8Array> = {
      png: await sharp(src.data, raw).png().toBuffer(),
      jpeg: await sharp(src.data, raw).jpeg().toBuffer(),
      webp: await sharp(src.data, raw).webp().toBuffer(),
      gif: await sharp(src.data, raw).gif().toBuffer(),
      tiff: await sharp(src.data, raw).tiff().toBuffer(),
      bmp: writeBmp(24, 16, src.data, { bitsPerPixel: 24 }),
    };
    for (const [fmt, bytes] of Object.entries(files)) {
      const cuts = new Set<number>();
      for (let k = 1; k < 24; k++) cuts.add(Math.floor((bytes.length * k) / 24));
      for (const cut of cuts) {
        await assert.rejects(decodeImage(bytes.subarray(0, cut), { name: `${fmt}@${cut}` }), (err: unknown) => {
          assert.ok(err instanceof ImageError, `${fmt} cut at ${cut}: ${String(err)}`);
          assert.ok((err as Error).message.startsWith(`image '${fmt}@${cut}'`), (err as Error).message);
          return true;
        });
      }
    }
  });
});
