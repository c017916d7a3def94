// A worker's signature as a small PNG for a 3G upload: only the strokes' bounding box, one bit a
// pixel (ink or paper). canvas.toDataURL writes 32-bit colour for the whole pad: about 9 KB for a
// signature where this writes about 1 KB (figures: docs/offline.md, "Upload size on 3G").
"use strict";
(() => {
  const MARGIN = 4; // paper kept around the strokes, in pixels
  const PAPER = 224; // a pixel lighter than this (0–255, the pen's anti-aliased edges included) is paper

  const CRC = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });

  function crc32(bytes) {
    let c = 0xffffffff;
    for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  // One PNG chunk: length, type, data, CRC of type and data.
  function chunk(type, data) {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set([...type].map((ch) => ch.charCodeAt(0)), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  }

  // The rectangle holding every ink pixel, with a margin; null on an empty pad.
  function inkBox(pixels, width, height) {
    let [left, top, right, bottom] = [width, height, -1, -1];
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        if (!isInk(pixels, (y * width + x) * 4)) continue;
        left = Math.min(left, x); right = Math.max(right, x);
        top = Math.min(top, y); bottom = Math.max(bottom, y);
      }
    }
    if (right < 0) return null;
    const x = Math.max(0, left - MARGIN);
    const y = Math.max(0, top - MARGIN);
    return { x, y, w: Math.min(width, right + MARGIN + 1) - x, h: Math.min(height, bottom + MARGIN + 1) - y };
  }

  function isInk(pixels, i) {
    const alpha = pixels[i + 3] / 255; // a transparent pixel is paper
    return 255 - alpha * (255 - (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3) < PAPER;
  }

  // PNG scanlines of a 1-bit greyscale image (0 ink, 1 paper), each after its filter byte 0.
  function scanlines(pixels, width, box) {
    const stride = Math.ceil(box.w / 8) + 1;
    const raw = new Uint8Array(stride * box.h);
    for (let y = 0; y < box.h; y += 1) {
      for (let x = 0; x < box.w; x += 1) {
        if (!isInk(pixels, ((box.y + y) * width + box.x + x) * 4)) raw[y * stride + 1 + (x >> 3)] |= 0x80 >> (x & 7);
      }
    }
    return raw;
  }

  async function deflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  function dataUrl(bytes) {
    let text = "";
    for (const b of bytes) text += String.fromCharCode(b);
    return `data:image/png;base64,${btoa(text)}`;
  }

  // The signature drawn on `canvas` as a PNG data URL, or null when nothing is drawn. A browser
  // without CompressionStream sends the bounding box as the canvas writes it.
  async function png(canvas) {
    const { width, height } = canvas;
    const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    const box = inkBox(pixels, width, height);
    if (!box) return null;
    if (!self.CompressionStream) {
      const crop = Object.assign(document.createElement("canvas"), { width: box.w, height: box.h });
      crop.getContext("2d").drawImage(canvas, box.x, box.y, box.w, box.h, 0, 0, box.w, box.h);
      return crop.toDataURL("image/png");
    }
    const header = new Uint8Array(13);
    const view = new DataView(header.buffer);
    view.setUint32(0, box.w);
    view.setUint32(4, box.h);
    header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
    const parts = [
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk("IHDR", header),
      chunk("IDAT", await deflate(scanlines(pixels, width, box))),
      chunk("IEND", new Uint8Array()),
    ];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return dataUrl(out);
  }

  self.SignaturePng = { png };
})();
