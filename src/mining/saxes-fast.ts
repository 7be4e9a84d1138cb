import type { SaxesParser, SaxesTag } from "saxes";

/*
 * Faster paths through saxes for the markup an XES file is made of. saxes reads one character
 * at a time through a method that also counts lines and columns, and moves through a dozen
 * states for a tag like `<string key="org:group" value="Service desk"/>`: most of what mining
 * a large log costs. The functions here replace a few of a parser instance's states with code
 * that scans the plainest form of the same markup in one loop and then hands over to saxes's
 * own methods (openTag, openSelfClosingTag, closeTag), which check and report as before.
 *
 * Each fast path only accepts text it can read completely, within the chunk at hand, in the
 * plainest form: ASCII names, attributes separated by spaces or tabs with `=` and a quote right
 * after the name, values without entities, tabs, line breaks or characters outside the Basic
 * Multilingual Plane, text between tags that is only spaces, tabs and line feeds. Anything else
 * (and everything in an XML 1.1 document) is left to the state saxes has for it, from the very
 * character where the fast path began, so the parser's events, errors, lines and columns are
 * the same either way (saxes-fast.test.ts compares both on generated and damaged documents).
 *
 * These are saxes 6 internals (the lock file pins the version); should a later saxes not have
 * them, the parser is left as it is.
 */

/** An attribute as saxes gathers it before it builds a tag's `attributes`. */
export interface Attribute {
  name: string;
  value: string;
}

/** A tag whose attributes stayed in saxes's list (see {@link keepAttributeLists}). */
export type ListedTag = SaxesTag & { list?: Attribute[] };

/** What of saxes 6's internals the fast paths use. */
interface Internals {
  stateTable: ((this: Internals) => void)[];
  chunk: string;
  i: number;
  prevI: number;
  line: number;
  column: number;
  chunkPosition: number;
  positionAtNewLine: number;
  forbiddenState: number;
  state: number;
  name: string;
  text: string;
  tag: ListedTag;
  tags: SaxesTag[];
  attribList: Attribute[];
  sawRoot: boolean;
  xmlDeclPossible: boolean;
  closedRoot: boolean;
  xmlnsOpt: boolean;
  fragmentOpt: boolean;
  textHandler: unknown;
  openTagStartHandler: unknown;
  getCode: unknown;
  getCode10: unknown;
  processAttribs: unknown;
  openTag(): void;
  openSelfClosingTag(): void;
  closeTag(): void;
  fail(message: string): void;
}

// saxes 6's state numbers (its `stateTable` order) and the one value of `forbiddenState` used.
const S_TEXT = 13;
const S_OPEN_WAKA = 15;
const S_OPEN_TAG = 34;
const S_CLOSE_TAG = 43;
const FORBIDDEN_START = 0;

const LESS = 0x3c;
const GREATER = 0x3e;
const SLASH = 0x2f;
const EQUAL = 0x3d;
const AMP = 0x26;
const SPACE = 0x20;
const TAB = 0x09;
const NL = 0x0a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/** ASCII characters that XML allows in a name (1) and at its start (2 as well). */
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME_CHAR[c] = 2;
  else if (/[0-9.-]/.test(ch)) NAME_CHAR[c] = 1;
}

/** Where an ASCII name starting at `from` ends; -1 at a non-ASCII character or the chunk's end. */
function nameEnd(chunk: string, from: number): number {
  for (let j = from; j < chunk.length; j++) {
    const c = chunk.charCodeAt(j);
    if (c >= 128) return -1;
    if (NAME_CHAR[c] === 0) return j;
  }
  return -1;
}

/** Attributes are never read from the object saxes would build; one empty object serves. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze(Object.create(null));

/**
 * saxes gathers an open tag's attributes in a list, then copies them into a prototype-less
 * object (a dictionary to V8, slow to fill and to read) for the tag handler. This keeps the list
 * on the tag instead (as `list`), with saxes's own duplicate check and message. It replaces
 * saxes 6's non-namespace `processAttribs`; true when it did.
 */
export function keepAttributeLists(parser: SaxesParser): boolean {
  const internals = parser as unknown as Internals;
  if (typeof internals.processAttribs !== "function" || !Array.isArray(internals.attribList))
    return false;
  internals.processAttribs = function (this: Internals) {
    const list = this.attribList;
    for (let i = 1; i < list.length; i++) {
      const name = (list[i] as Attribute).name;
      // Once for each attribute whose name came before, as saxes says it.
      for (let j = 0; j < i; j++)
        if ((list[j] as Attribute).name === name) {
          this.fail(`duplicate attribute: ${name}.`);
          break;
        }
    }
    this.tag.list = list;
    this.attribList = [];
  };
  return true;
}

/**
 * Keeps attribute lists (as {@link keepAttributeLists}) and reads plain open tags, close tags
 * and the white space between tags in one loop each. True when the fast paths are in place.
 */
export function acceleratePlainMarkup(parser: SaxesParser): boolean {
  const p = parser as unknown as Internals;
  const table = p.stateTable;
  if (
    !Array.isArray(table) ||
    table.length !== 45 ||
    typeof p.getCode10 !== "function" ||
    typeof p.openTag !== "function" ||
    typeof p.openSelfClosingTag !== "function" ||
    typeof p.closeTag !== "function" ||
    p.xmlnsOpt ||
    p.fragmentOpt
  )
    return false;
  if (!keepAttributeLists(parser)) return false;
  const getCode10 = p.getCode10;
  const slowOpenTag = table[S_OPEN_TAG] as (this: Internals) => void;
  const slowCloseTag = table[S_CLOSE_TAG] as (this: Internals) => void;
  const slowText = table[S_TEXT] as (this: Internals) => void;

  // After `<` and a name start character (sOpenWaka checked it): the whole tag, or saxes.
  const fastOpenTag = function (this: Internals) {
    const { chunk, i: start } = this;
    // (Text left over from an error before saxes would put in front of the first value.)
    if (
      this.name !== "" ||
      this.text !== "" ||
      this.getCode !== getCode10 ||
      this.openTagStartHandler !== undefined ||
      this.closedRoot
    )
      return slowOpenTag.call(this);
    let j = nameEnd(chunk, start);
    if (j < 0) return slowOpenTag.call(this);
    const name = chunk.slice(start, j);
    const list: Attribute[] = [];
    let selfClosing: boolean;
    for (;;) {
      let c = chunk.charCodeAt(j);
      if (c === GREATER) {
        selfClosing = false;
        j++;
        break;
      }
      if (c === SLASH) {
        if (chunk.charCodeAt(j + 1) !== GREATER) return slowOpenTag.call(this);
        selfClosing = true;
        j += 2;
        break;
      }
      if (c !== SPACE && c !== TAB) return slowOpenTag.call(this);
      do c = chunk.charCodeAt(++j);
      while (c === SPACE || c === TAB);
      if (c === GREATER || c === SLASH) continue;
      if (!(c < 128 && NAME_CHAR[c] === 2)) return slowOpenTag.call(this);
      const nameStop = nameEnd(chunk, j);
      if (nameStop < 0 || chunk.charCodeAt(nameStop) !== EQUAL) return slowOpenTag.call(this);
      const quote = chunk.charCodeAt(nameStop + 1);
      if (quote !== DQUOTE && quote !== SQUOTE) return slowOpenTag.call(this);
      let k = nameStop + 2;
      for (; k < chunk.length; k++) {
        const v = chunk.charCodeAt(k);
        if (v === quote) break;
        // Control characters (tab and line breaks included: saxes turns them into spaces),
        // markup, entities, surrogates and the two non-characters saxes refuses.
        if (v < SPACE || v === LESS || v === AMP || (v >= 0xd800 && (v <= 0xdfff || v >= 0xfffe)))
          return slowOpenTag.call(this);
      }
      if (k === chunk.length) return slowOpenTag.call(this);
      list.push({ name: chunk.slice(j, nameStop), value: chunk.slice(nameStop + 2, k) });
      j = k + 1;
    }
    // Every character read was one column of one line.
    this.column += j - start;
    this.prevI = j - 1;
    this.i = j;
    // openTag and openSelfClosingTag set isSelfClosing, as after saxes's own sOpenTag.
    this.tag = { name, attributes: NO_ATTRIBUTES } as ListedTag;
    this.attribList = list;
    this.sawRoot = true;
    if (selfClosing) this.openSelfClosingTag();
    else this.openTag();
  };

  // After `</`: a name and `>` at once, or saxes.
  const fastCloseTag = function (this: Internals) {
    const { chunk, i: start } = this;
    if (this.name !== "" || this.getCode !== getCode10) return slowCloseTag.call(this);
    const j = nameEnd(chunk, start);
    if (j <= start || chunk.charCodeAt(j) !== GREATER) return slowCloseTag.call(this);
    this.column += j + 1 - start;
    this.prevI = j;
    this.i = j + 1;
    this.name = chunk.slice(start, j);
    this.closeTag();
  };

  table[S_OPEN_TAG] = fastOpenTag;
  table[S_CLOSE_TAG] = fastCloseTag;

  // Inside the root, with no text handler: spaces, tabs and line feeds up to a `<`, then the tag
  // after it at once when it is one; or saxes.
  table[S_TEXT] = function (this: Internals) {
    if (this.tags.length === 0 || this.textHandler !== undefined || this.getCode !== getCode10)
      return slowText.call(this);
    const { chunk, i: start } = this;
    let lines = 0;
    let lastBreak = -1;
    let j = start;
    for (; j < chunk.length; j++) {
      const c = chunk.charCodeAt(j);
      if (c === LESS) break;
      if (c === NL) {
        lines++;
        lastBreak = j;
      } else if (c !== SPACE && c !== TAB) return slowText.call(this);
    }
    if (j === chunk.length) return slowText.call(this);
    if (lines === 0) this.column += j + 1 - start;
    else {
      this.line += lines;
      this.column = j - lastBreak;
      this.positionAtNewLine = this.chunkPosition + lastBreak + 1;
    }
    this.forbiddenState = FORBIDDEN_START;
    // What sOpenWaka would do with the character after the `<`, for a tag or a close tag. (Going
    // on to the text after it here too, in a loop, measured slower: 574 against 500 ms.)
    const next = chunk.charCodeAt(j + 1);
    if (next < 128 && NAME_CHAR[next] === 2) {
      this.prevI = j + 1;
      this.i = j + 1;
      this.xmlDeclPossible = false;
      this.state = S_OPEN_TAG;
      return fastOpenTag.call(this);
    }
    if (next === SLASH) {
      this.column++;
      this.prevI = j + 1;
      this.i = j + 2;
      this.xmlDeclPossible = false;
      this.state = S_CLOSE_TAG;
      return fastCloseTag.call(this);
    }
    this.prevI = j;
    this.i = j + 1;
    this.state = S_OPEN_WAKA;
  };
  return true;
}
