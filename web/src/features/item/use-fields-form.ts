import { useEffect, useMemo, useRef, useState } from "react";
import type { FieldDef, Item } from "../../api/types.ts";
import {
  checkValue,
  type FormValue,
  type FormValues,
  fromFormValue,
  toFormValue,
} from "./fields.ts";

/**
 * The item's fields as an editable form. Values the user has not touched follow the server
 * (so a change made elsewhere shows up live); touched ones are kept until saved or reset.
 */
export function useFieldsForm(fields: FieldDef[], item: Item | undefined) {
  const server = useMemo(() => {
    const v: FormValues = {};
    for (const f of fields) v[f.key] = toFormValue(f, item?.fields[f.key]);
    return v;
  }, [fields, item?.fields]);
  const [edits, setEdits] = useState<FormValues>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const itemKey = item?.key;
  const lastKey = useRef(itemKey);
  useEffect(() => {
    if (lastKey.current !== itemKey) {
      lastKey.current = itemKey;
      setEdits({});
      setServerErrors({});
    }
  }, [itemKey]);

  const values: FormValues = { ...server, ...edits };
  const dirty = Object.keys(edits).filter((k) => edits[k] !== server[k]);
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.key];
    const problem = v === undefined ? null : checkValue(f, v);
    if (problem && dirty.includes(f.key)) errors[f.key] = problem;
    else if (serverErrors[f.key]) errors[f.key] = serverErrors[f.key] as string;
  }

  return {
    values,
    errors,
    dirty,
    isDirty: dirty.length > 0,
    isValid: Object.keys(errors).length === 0,
    setValue: (key: string, v: FormValue) => {
      setEdits((e) => ({ ...e, [key]: v }));
      setServerErrors(({ [key]: _gone, ...rest }) => rest);
    },
    reset: () => {
      setEdits({});
      setServerErrors({});
    },
    /** The changed fields as the API takes them. */
    changes: (): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const k of dirty) {
        const f = fields.find((x) => x.key === k);
        if (f) out[k] = fromFormValue(f, values[k] as FormValue);
      }
      return out;
    },
    /** Shows the server's `errors` (paths like `fields.tier`) next to the inputs. */
    showServerErrors: (errs: { path: string; message: string }[]) => {
      const byField: Record<string, string> = {};
      for (const e of errs) {
        const key = e.path.replace(/^fields\./, "");
        if (fields.some((f) => f.key === key)) byField[key] = e.message;
      }
      setServerErrors(byField);
    },
    /** The form values of the changed fields, to pass to `saved` once they are stored. */
    pending: (): FormValues => Object.fromEntries(dirty.map((k) => [k, values[k] as FormValue])),
    /**
     * Forgets the edits that were saved; an edit typed while the save was under way (its value
     * differs from what was sent) stays.
     */
    saved: (sent: FormValues = {}) =>
      setEdits((e) =>
        Object.fromEntries(Object.entries(e).filter(([k, v]) => !(k in sent) || sent[k] !== v)),
      ),
  };
}

export type FieldsForm = ReturnType<typeof useFieldsForm>;
