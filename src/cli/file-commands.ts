import { readFile, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { formatBytes } from "../domain/byte-size.ts";
import { CliError, cliOf, type FileJson, type ItemJson, seg } from "./client.ts";
import { emit, formatTime, say, table } from "./output.ts";

/*
 * `baton file`: deliverables on items — upload one (into a file field, so a handoff that
 * requires it can go), list an item's files, download one.
 */

/** Registers `file attach|list|get`. */
export function registerFileCommands(program: Command): void {
  const file = program.command("file").description("files on items: attach, list, download");

  file
    .command("attach")
    .description("upload a file to an item (into a file field with --field)")
    .argument("<key>", "item key")
    .argument("<path>", "the file to upload")
    .option("--field <field>", "the file field it fills (e.g. contract)")
    .option(
      "--type <media-type>",
      "its media type (default: from the extension, else octet-stream)",
    )
    .action(
      async (
        key: string,
        path: string,
        flags: { field?: string; type?: string },
        command: Command,
      ) => {
        const cli = cliOf(command);
        const data = await readFile(path).catch((e: NodeJS.ErrnoException) => {
          throw new CliError(
            `cannot read ${path}: ${e.code === "ENOENT" ? "no such file" : e.message}`,
          );
        });
        const form = new FormData();
        form.set(
          "file",
          new Blob([data], { type: flags.type ?? mediaTypeOf(path) }),
          basename(path),
        );
        const body = await cli.api.upload<{ file: FileJson; item: ItemJson }>(
          `/items/${seg(key)}/files`,
          form,
          { field: flags.field },
        );
        emit(cli, body, ({ file: f, item }) =>
          say(
            `Attached ${f.name} (${formatBytes(f.size)}) to ${item.key}${flags.field ? ` as ${flags.field}` : ""}.`,
          ),
        );
      },
    );

  file
    .command("list")
    .description("an item's files, oldest first")
    .argument("<key>", "item key")
    .action(async (key: string, _flags: unknown, command: Command) => {
      const cli = cliOf(command);
      const body = await cli.api.get<{ files: FileJson[] }>(`/items/${seg(key)}/files`);
      emit(cli, body, ({ files }) => {
        if (files.length === 0) return say(`${key} has no files.`);
        say(
          table(
            ["id", "name", "size", "by", "when"],
            files.map((f) => [
              f.file_id,
              f.name,
              formatBytes(f.size),
              f.uploaded_by,
              formatTime(f.uploaded_at),
            ]),
          ),
        );
      });
    });

  file
    .command("get")
    .description("download one of an item's files")
    .argument("<key>", "item key")
    .argument("<id>", "the file's id (baton file list KEY)")
    .option("-o, --output <path>", "where to write it (default: its own name, in this directory)")
    .action(async (key: string, id: string, flags: { output?: string }, command: Command) => {
      const cli = cliOf(command);
      const { files } = await cli.api.get<{ files: FileJson[] }>(`/items/${seg(key)}/files`);
      const meta = files.find((f) => f.file_id === id);
      if (!meta) throw new CliError(`${key} has no file ${id} (see baton file list ${key})`);
      const bytes = await cli.api.downloadBytes(`/items/${seg(key)}/files/${seg(id)}`);
      const target = flags.output ?? basename(meta.name);
      await writeFile(target, bytes, { flag: flags.output ? "w" : "wx" }).catch(
        (e: NodeJS.ErrnoException) => {
          throw new CliError(
            e.code === "EEXIST"
              ? `${target} exists; pass -o to choose where to write`
              : `cannot write ${target}: ${e.message}`,
          );
        },
      );
      say(`Wrote ${target} (${formatBytes(bytes.length)}).`);
    });
}

/** Media types of the deliverables people attach most, by extension. */
const mediaTypes: Record<string, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  json: "application/json",
  zip: "application/zip",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

function mediaTypeOf(path: string): string {
  const ext = path.toLowerCase().split(".").at(-1) ?? "";
  return mediaTypes[ext] ?? "application/octet-stream";
}
