import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { KEY_MAX, keyText, text } from "../../domain/text.ts";
import type { Engine } from "../../engine/engine.ts";
import { principalOf } from "../auth.ts";
import { expectedVersion } from "../if-match.ts";
import { presentItem } from "../presenters.ts";
import { answers, errorResponses, fileSchema, itemSchema } from "../responses.ts";

/*
 * Files on items: upload (multipart/form-data, one file per request), list, download. Anyone
 * signed in may read an item, so anyone signed in may download its files; nobody else can (the
 * requester's status link shows no files). Downloads are always attachments, never rendered in
 * Baton's origin: an uploaded HTML page or SVG cannot run script as the reader.
 */

const keyParams = z.object({ key: keyText });
const fileParams = z.object({
  key: keyText,
  id: z.uuid({ message: "must be a file id (a UUID)" }),
});

/** `Content-Disposition` for a download named `name`: an ASCII fallback and the UTF-8 name. */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export const fileRoutes =
  (engine: Engine, { maxBytes }: { maxBytes: number }): FastifyPluginAsyncZod =>
  async (app) => {
    // Only these routes read multipart bodies; one file and one small field at most.
    await app.register(multipart, {
      limits: {
        fileSize: maxBytes,
        files: 1,
        fields: 1,
        parts: 2,
        fieldSize: 1000,
        headerPairs: 50,
      },
      throwFileSizeLimit: true,
    });

    app.post(
      "/items/:key/files",
      {
        schema: {
          tags: ["items"],
          summary:
            "Upload a file to the item (multipart/form-data, part `file`); with ?field=KEY it becomes that file field's value",
          params: keyParams,
          querystring: z.object({ field: text({ max: KEY_MAX }).optional() }).strict(),
          response: answers(z.object({ file: fileSchema, item: itemSchema }), 201),
        },
      },
      async (request, reply) => {
        if (!request.isMultipart())
          throw new DomainError(
            "unsupported_media_type",
            'Send the file as multipart/form-data with the file in a part named "file".',
          );
        const part = await request.file();
        if (part?.fieldname !== "file")
          throw new DomainError("invalid_input", 'The upload carries no part named "file".', {
            errors: [{ path: "file", message: 'send the file in a part named "file"' }],
          });
        const data = await part.toBuffer();
        const view = await engine.items.attach(
          principalOf(request),
          request.params.key,
          { name: part.filename, contentType: part.mimetype, data, field: request.query.field },
          expectedVersion(request.headers["if-match"]),
        );
        const item = presentItem(
          view,
          await engine.directory.teamNameOf(),
          view.clocks ?? (await engine.sla.clocks(view.item, view.def)).current,
        );
        return reply
          .code(201)
          .header("etag", `"${view.item.version}"`)
          .header("location", `/api/v1/items/${view.item.key}/files/${view.file.file_id}`)
          .send({ file: view.file, item });
      },
    );

    app.get(
      "/items/:key/files",
      {
        schema: {
          tags: ["items"],
          summary: "The item's files, oldest first (without their bytes)",
          params: keyParams,
          response: answers(z.object({ files: z.array(fileSchema) })),
        },
      },
      async (request) => ({ files: await engine.items.files(request.params.key) }),
    );

    app.get(
      "/items/:key/files/:id",
      {
        schema: {
          tags: ["items"],
          summary: "Download one of the item's files",
          params: fileParams,
          response: {
            200: {
              description:
                "the file's bytes, as an attachment, with the media type it was uploaded with",
              content: { "application/octet-stream": { schema: z.string().describe("binary") } },
            },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const file = await engine.items.file(request.params.key, request.params.id);
        return reply
          .header("content-type", file.content_type)
          .header("content-disposition", attachmentDisposition(file.name))
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "sandbox; default-src 'none'")
          .header("etag", `"${file.sha256}"`)
          .header("cache-control", "private, max-age=86400, immutable")
          .send(file.data as never); // bytes: sent as they are, never serialized
      },
    );
  };
