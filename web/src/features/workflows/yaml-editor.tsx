import { yaml } from "@codemirror/lang-yaml";
import { type Diagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { useEffect, useRef } from "react";

/*
 * CodeMirror 6 holding a workflow definition. The parent owns validation; this component
 * shows its diagnostics as underlines and gutter markers. Tab is left to move focus, so the
 * editor never traps keyboard users (Esc then Tab also works inside).
 */

export interface EditorHandle {
  focusAt: (offset: number) => void;
}

export default function YamlEditor({
  value,
  onChange,
  diagnostics,
  readOnly = false,
  label,
  handleRef,
}: {
  value: string;
  onChange?: (v: string) => void;
  diagnostics: Diagnostic[];
  readOnly?: boolean;
  label: string;
  handleRef?: { current: EditorHandle | null };
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is created once; later values arrive through the effect below
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          // Read-only: not editable, so no caret blinks in text nobody may change, but still
          // focusable, so keyboard users can scroll and select (WCAG 2.1.1).
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({
            "aria-label": label,
            tabindex: "0",
            ...(readOnly ? { "aria-readonly": "true" } : {}),
          }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current?.(u.state.doc.toString());
          }),
          EditorView.theme({
            "&": {
              fontSize: "13px",
              border: "1px solid var(--mantine-color-default-border)",
              borderRadius: "8px",
            },
            ".cm-scroller": {
              fontFamily: "var(--mantine-font-family-monospace)",
              minHeight: "320px",
              maxHeight: "70vh",
            },
            ".cm-gutters": {
              borderTopLeftRadius: "8px",
              borderBottomLeftRadius: "8px",
              color: "var(--mantine-color-dimmed)",
              backgroundColor: "var(--mantine-color-default-hover)",
            },
          }),
        ],
      }),
    });
    view.current = v;
    if (handleRef)
      handleRef.current = {
        focusAt: (offset) => {
          v.dispatch({ selection: { anchor: offset }, scrollIntoView: true });
          v.focus();
        },
      };
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  // A new value from outside (another version loaded): replace the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    const clamped = diagnostics.map((d) => ({
      ...d,
      from: Math.min(d.from, len),
      to: Math.min(Math.max(d.to, d.from), len),
    }));
    v.dispatch(setDiagnostics(v.state, clamped));
  }, [diagnostics]);

  return <div ref={host} data-testid="yaml-editor" />;
}
