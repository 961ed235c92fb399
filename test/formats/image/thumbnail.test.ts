import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ImageError } from '../../../src/errors.js';
import { thumbnailDataUri } from '../../../src/formats/image/thumbnail.js';
import { dataPath } from '../../helpers/data.js';

async function decodeUri(uri: string) {
  const m = /^data:image\/jpeg;base64,([A-Za-z0-9+/=]+)$/.exec(uri);
  assert.ok(m, 'a base64 JPEG data URI');
  const bytes = Buffer.from(m[1]!, 'base64');
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { bytes, data, info };
}

const meanRgb = (data: Uint8Array) => [0, 1, 2].map((c) => data.filter((_, i) => i % 3 === c).reduce((a, b) => a + b, 0) / (data.length / 3));

test('thumbnail of a JPEG: longest side 112, same aspect and colours as the original', async () => {
  const file = dataPath('images', 'parrot.jpg');
  const { bytes, data, info } = await decodeUri(await thumbnailDataUri(file));
  const orig = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal(Math.max(info.width, info.height), 112);
  assert.ok(Math.abs(info.width / info.height - orig.info.width / orig.info.height) < 0.02);
  const [a, b] = [meanRgb(data), meanRgb(orig.data)];
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(a[c]! - b[c]!) < 4, `channel ${c}: ${a[c]} vs ${b[c]}`);
  assert.ok(bytes.length < 12_000, `${bytes.length} bytes`);
});

test('thumbnail of a BMP (our decoder) and of a small image (not enlarged)', async () => {
  const bmp = await decodeUri(await thumbnailDataUri(dataPath('images', 'grace_hopper.bmp'), { size: 96 }));
  assert.equal(Math.max(bmp.info.width, bmp.info.height), 96);
  const tiny = { width: 20, height: 10, data: new Uint8Array(600).fill(200) };
  const t = await decodeUri(await thumbnailDataUri(tiny));
  assert.deepEqual([t.info.width, t.info.height], [20, 10]);
});

test('thumbnail of a non-image or a bad size: clear errors', async () => {
  await assert.rejects(thumbnailDataUri(new TextEncoder().encode('hello'), { name: 'notes.txt' }), (e: unknown) => {
    assert.ok(e instanceof ImageError);
    assert.match(e.message, /image 'notes\.txt': not an image/);
    return true;
  });
  await assert.rejects(thumbnailDataUri(dataPath('images', 'dog.jpg'), { size: 0 }), RangeError);
});
