/** Small synthetic media whose magic bytes real detectors (file-type) recognise. */

/** An AMR-NB voice file: the `#!AMR\n` magic plus silent frames. */
export function amrVoice(frames = 50): Buffer {
  // 0x3c = mode 7 (12.2 kbit/s) frame header; 31 payload bytes per frame.
  const frame = Buffer.concat([Buffer.from([0x3c]), Buffer.alloc(31)]);
  return Buffer.concat([Buffer.from('#!AMR\n'), ...Array.from({ length: frames }, () => frame)]);
}

/** An MP4 (ISO BMFF): an `ftyp` box with brand isom, then an `mdat` box of `payload` bytes. */
export function mp4Video(payload = 2048): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write('isomiso2', 16, 'latin1');
  const mdat = Buffer.alloc(8 + payload, 0x11);
  mdat.writeUInt32BE(8 + payload, 0);
  mdat.write('mdat', 4, 'latin1');
  return Buffer.concat([ftyp, mdat]);
}
