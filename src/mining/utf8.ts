import { isAscii } from "node:buffer";

/*
 * UTF-8 text that arrives in pieces (chunks of a file, slices of an XES file). Most logs are plain
 * ASCII: then the bytes are the characters, taken as Latin-1 without decoding (half the time),
 * unless the decoder still holds the start of a character cut at the end of the last piece.
 */

/** A decoder of successive pieces: each call gives the text of one; `end` flushes a cut character. */
export function utf8Pieces(): (bytes: Uint8Array, end?: boolean) => string {
  const decoder = new TextDecoder("utf-8");
  let holding = false;
  return (bytes, end = false) => {
    const ascii = isAscii(bytes);
    if (ascii && !holding && !end) return latin1(bytes);
    holding = !ascii;
    return decoder.decode(bytes, { stream: !end });
  };
}

/**
 * The most bytes to turn into one string. V8 keeps a string over 128 KiB in its large-object
 * space, which costs an allocation of its own and a full collection to free: ten times as much
 * per byte as a smaller string (a 29 MB log in 256 KiB strings: 18 ms; in 64 KiB ones: 2 ms).
 */
const PIECE_BYTES = 64 * 1024;

/** `bytes` in pieces of at most PIECE_BYTES, for {@link utf8Pieces} one at a time. */
export function* smallPieces(bytes: Uint8Array): Generator<Uint8Array> {
  if (bytes.length <= PIECE_BYTES) yield bytes;
  else
    for (let at = 0; at < bytes.length; at += PIECE_BYTES)
      yield bytes.subarray(at, at + PIECE_BYTES);
}

const whole = new TextDecoder("utf-8", { ignoreBOM: true });

/** The text of bytes that hold whole characters (a slice cut after a `>`), a leading U+FEFF kept. */
export function utf8Text(bytes: Uint8Array): string {
  return isAscii(bytes) ? latin1(bytes) : whole.decode(bytes);
}

/** ASCII bytes as text: each byte is its character, so no decoding (and no copy of the bytes). */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
}
