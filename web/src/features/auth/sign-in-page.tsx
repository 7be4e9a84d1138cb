import {
  Anchor,
  Button,
  Center,
  Code,
  Divider,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api, isApiError, storeToken } from "../../api/client.ts";
import { keys } from "../../api/queries.ts";
import type { User } from "../../api/types.ts";
import { useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";

/** How one can sign in here (GET /session/providers, asked before signing in). */
interface SignInProviders {
  password: boolean;
  oidc: { name: string; start_url: string } | null;
}

/**
 * The company's identity provider (when configured), e-mail and password (a session cookie),
 * or an API token for this tab only. Shown at whatever URL a signed-out person opened, so they
 * land there once signed in.
 */
export function SignInPage() {
  useDocumentTitle("Sign in");
  const qc = useQueryClient();
  const providers = useQuery({
    queryKey: ["session", "providers"],
    queryFn: () => api<SignInProviders>("/session/providers"),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const sso = providers.data?.oidc ?? null;
  const hasPassword = providers.data?.password !== false;
  const [mode, setMode] = useState<"password" | "token">("password");
  // Single sign-on only: no password form, but an API token still works.
  const showForm = mode === "token" || hasPassword;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const signInWithPassword = async () => {
    try {
      const user = await api<User>("/session", { method: "POST", body: { email, password } });
      storeToken(null);
      qc.setQueryData(keys.me, user);
    } catch (e) {
      if (isApiError(e, "not_found") && e.status === 404) {
        setMode("token");
        throw new ApiError({
          title: "Password sign-in is not available",
          status: 404,
          code: "not_found",
          detail:
            "This Baton does not offer password sign-in. Sign in with an API token instead: `npm start` prints one for each demo user.",
        });
      }
      if (isApiError(e, "unauthenticated"))
        throw new ApiError({ ...e.problem, detail: "That e-mail and password do not match." });
      throw e;
    }
  };

  const signInWithToken = async () => {
    storeToken(token.trim());
    try {
      const user = await api<User>("/users/me");
      qc.setQueryData(keys.me, user);
    } catch (e) {
      storeToken(null);
      if (isApiError(e, "unauthenticated"))
        throw new ApiError({
          ...e.problem,
          detail: "Baton does not know this token. Copy it again, or make a new one.",
        });
      throw e;
    }
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await (mode === "password" ? signInWithPassword() : signInWithToken());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack>
            <div>
              <Title order={1} size="h2" id="sign-in-title">
                Sign in to Baton
              </Title>
              <Text c="dimmed" size="sm">
                Work handed between teams, nothing dropped.
              </Text>
            </div>
            {error ? <ProblemAlert error={error} /> : null}
            {sso && mode === "password" ? (
              <>
                {/* A plain link: the provider's pages take over the tab, then send it back here. */}
                <Button
                  component="a"
                  href={`${sso.start_url}?return_to=${encodeURIComponent(
                    window.location.pathname + window.location.search + window.location.hash,
                  )}`}
                  fullWidth
                >
                  Sign in with {sso.name}
                </Button>
                {hasPassword ? <Divider label="or with e-mail and password" /> : null}
              </>
            ) : null}
            {!showForm ? null : mode === "password" ? (
              <>
                <TextInput
                  label="E-mail"
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.currentTarget.value)}
                  data-autofocus
                />
                <PasswordInput
                  label="Password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                />
              </>
            ) : (
              <TextInput
                label="API token"
                description={
                  <>
                    Starts with <Code>bt_</Code>. Kept in this tab only, until you sign out.
                  </>
                }
                autoComplete="off"
                required
                value={token}
                onChange={(e) => setToken(e.currentTarget.value)}
              />
            )}
            {showForm ? (
              <Button type="submit" loading={busy} fullWidth variant={sso ? "default" : "filled"}>
                Sign in
              </Button>
            ) : null}
            <Anchor
              component="button"
              type="button"
              size="sm"
              onClick={() => {
                setMode(mode === "password" ? "token" : "password");
                setError(null);
              }}
            >
              {mode === "token"
                ? hasPassword
                  ? "Sign in with e-mail and password"
                  : `Sign in with ${sso?.name ?? "single sign-on"}`
                : "Sign in with an API token instead"}
            </Anchor>
            <Text size="xs" c="dimmed">
              Trying Baton? <Code>npm start</Code> prints the demo people and their password.
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
